-- Deploy flipr:flips to sqlite
-- requires: flips@v1.1

BEGIN;

ALTER TABLE flips ADD COLUMN hashtags TEXT NOT NULL DEFAULT '';

COMMIT;
