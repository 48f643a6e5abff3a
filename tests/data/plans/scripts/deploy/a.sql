deploy/a.sql
