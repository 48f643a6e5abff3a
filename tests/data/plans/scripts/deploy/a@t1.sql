deploy/a@t1.sql
