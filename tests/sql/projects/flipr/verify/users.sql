-- Verify flipr:users on sqlite

BEGIN;

SELECT nickname, password, timestamp
  FROM users
 WHERE 0;

ROLLBACK;
