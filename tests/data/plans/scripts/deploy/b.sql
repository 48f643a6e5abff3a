deploy/b.sql
