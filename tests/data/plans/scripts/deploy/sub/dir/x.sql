deploy/sub/dir/x.sql
