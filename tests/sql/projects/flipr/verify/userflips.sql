-- Verify flipr:userflips on sqlite

BEGIN;

SELECT id, nickname, body, timestamp
  FROM userflips
 WHERE 0;

ROLLBACK;
