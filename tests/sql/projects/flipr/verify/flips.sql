-- Verify flipr:flips on sqlite

BEGIN;

SELECT id, nickname, body, hashtags, timestamp
  FROM flips
 WHERE 0;

ROLLBACK;
