-- Revert flipr:flips from sqlite

BEGIN;

ALTER TABLE flips DROP COLUMN hashtags;

COMMIT;
