deploy/sub/dir/x@t5.sql
