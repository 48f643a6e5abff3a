deploy/a@t2.sql
