-- Revert flipr:flips from sqlite

BEGIN;

DROP TABLE flips;

COMMIT;
