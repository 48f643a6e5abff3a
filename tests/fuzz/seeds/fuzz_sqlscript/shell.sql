CREATE TABLE t1(x)
go
SELECT 8
/
# hash
.read x.sql
SELECT 'a;b', "c;d", [e;f], `g;h`; /* ; */ -- ;
