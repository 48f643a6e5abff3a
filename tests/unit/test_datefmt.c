/*
** test_datefmt.c -- unit tests of core/datefmt.c: every named date format,
** the CLDR pattern letters and DateTime's strftime codes, at fixed instants
** in three time zones. Expected strings come from sqitch 1.3.1 itself
** (`sqitch plan -f 'format:%{date:<fmt>}p'`, LC_ALL=C.UTF-8).
**
** The local zone is resolved once per process, so each zone's cases are
** formatted in a forked child with its own TZ and sent back over a pipe.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datefmt.h"
#include "tap.h"

static const struct {
  const char *tz, *fmt;
  long long epoch;
  const char *want;
} cases[] = {
    {"UTC", "raw", 1705314600LL, "2024-01-15T10:30:00Z"},
    {"UTC", "raw", 1720134309LL, "2024-07-04T23:05:09Z"},
    {"UTC", "raw", 1609459200LL, "2021-01-01T00:00:00Z"},
    {"UTC", "raw", 1735560000LL, "2024-12-30T12:00:00Z"},
    {"UTC", "raw", 946684799LL, "1999-12-31T23:59:59Z"},
    {"UTC", "iso", 1705314600LL, "2024-01-15 10:30:00 +0000"},
    {"UTC", "iso", 1720134309LL, "2024-07-04 23:05:09 +0000"},
    {"UTC", "iso", 1609459200LL, "2021-01-01 00:00:00 +0000"},
    {"UTC", "iso", 1735560000LL, "2024-12-30 12:00:00 +0000"},
    {"UTC", "iso", 946684799LL, "1999-12-31 23:59:59 +0000"},
    {"UTC", "rfc", 1705314600LL, "Mon, 15 Jan 2024 10:30:00 -0000"},
    {"UTC", "rfc", 1720134309LL, "Thu, 04 Jul 2024 23:05:09 -0000"},
    {"UTC", "rfc", 1609459200LL, "Fri, 01 Jan 2021 00:00:00 -0000"},
    {"UTC", "rfc", 1735560000LL, "Mon, 30 Dec 2024 12:00:00 -0000"},
    {"UTC", "rfc", 946684799LL, "Fri, 31 Dec 1999 23:59:59 -0000"},
    {"UTC", "full", 1705314600LL,
     "Monday, January 15, 2024, 10:30:00\342\200\257AM UTC"},
    {"UTC", "full", 1720134309LL,
     "Thursday, July 4, 2024, 11:05:09\342\200\257PM UTC"},
    {"UTC", "full", 1609459200LL,
     "Friday, January 1, 2021, 12:00:00\342\200\257AM UTC"},
    {"UTC", "full", 1735560000LL,
     "Monday, December 30, 2024, 12:00:00\342\200\257PM UTC"},
    {"UTC", "full", 946684799LL,
     "Friday, December 31, 1999, 11:59:59\342\200\257PM UTC"},
    {"UTC", "long", 1705314600LL,
     "January 15, 2024, 10:30:00\342\200\257AM UTC"},
    {"UTC", "long", 1720134309LL, "July 4, 2024, 11:05:09\342\200\257PM UTC"},
    {"UTC", "long", 1609459200LL,
     "January 1, 2021, 12:00:00\342\200\257AM UTC"},
    {"UTC", "long", 1735560000LL,
     "December 30, 2024, 12:00:00\342\200\257PM UTC"},
    {"UTC", "long", 946684799LL,
     "December 31, 1999, 11:59:59\342\200\257PM UTC"},
    {"UTC", "medium", 1705314600LL, "Jan 15, 2024, 10:30:00\342\200\257AM"},
    {"UTC", "medium", 1720134309LL, "Jul 4, 2024, 11:05:09\342\200\257PM"},
    {"UTC", "medium", 1609459200LL, "Jan 1, 2021, 12:00:00\342\200\257AM"},
    {"UTC", "medium", 1735560000LL, "Dec 30, 2024, 12:00:00\342\200\257PM"},
    {"UTC", "medium", 946684799LL, "Dec 31, 1999, 11:59:59\342\200\257PM"},
    {"UTC", "short", 1705314600LL, "1/15/24, 10:30\342\200\257AM"},
    {"UTC", "short", 1720134309LL, "7/4/24, 11:05\342\200\257PM"},
    {"UTC", "short", 1609459200LL, "1/1/21, 12:00\342\200\257AM"},
    {"UTC", "short", 1735560000LL, "12/30/24, 12:00\342\200\257PM"},
    {"UTC", "short", 946684799LL, "12/31/99, 11:59\342\200\257PM"},
    {"UTC", "default", 1705314600LL, "Jan 15, 2024, 10:30:00\342\200\257AM"},
    {"UTC", "default", 1720134309LL, "Jul 4, 2024, 11:05:09\342\200\257PM"},
    {"UTC", "default", 1609459200LL, "Jan 1, 2021, 12:00:00\342\200\257AM"},
    {"UTC", "default", 1735560000LL, "Dec 30, 2024, 12:00:00\342\200\257PM"},
    {"UTC", "default", 946684799LL, "Dec 31, 1999, 11:59:59\342\200\257PM"},
    {"UTC",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1705314600LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 1st quarter Q1 "
     "01 1 1st quarter Q1 1 J January Jan 01 1 J January Jan 01 1"},
    {"UTC",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1720134309LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 3rd quarter Q3 "
     "03 3 3rd quarter Q3 3 J July Jul 07 7 J July Jul 07 7"},
    {"UTC",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1609459200LL,
     "Anno Domini A AD 2021 21 2021 02021 2021 2021 2020 2020 1st quarter Q1 "
     "01 1 1st quarter Q1 1 J January Jan 01 1 J January Jan 01 1"},
    {"UTC",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1735560000LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2025 2025 4th quarter Q4 "
     "04 4 4th quarter Q4 4 D December Dec 12 12 D December Dec 12 12"},
    {"UTC",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     946684799LL,
     "Anno Domini A AD 1999 99 1999 01999 1999 1999 1999 1999 4th quarter Q4 "
     "04 4 4th quarter Q4 4 D December Dec 12 12 D December Dec 12 12"},
    {"UTC",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1705314600LL,
     "3 03 3 15 15 15 15 015 015 3 60324 M Monday Mon M Monday Mon 02 2 M "
     "Monday Mon 01 1 AM 10 10 10 10 10 10 10 10 10 10"},
    {"UTC",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1720134309LL,
     "27 27 1 4 04 186 186 186 186 1 60495 T Thursday Thu T Thursday Thu 05 5 "
     "T Thursday Thu 04 4 PM 11 11 23 23 11 11 23 23 11 11"},
    {"UTC",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1609459200LL,
     "53 53 0 1 01 1 01 001 001 1 59215 F Friday Fri F Friday Fri 06 6 F "
     "Friday Fri 05 5 AM 12 12 0 00 0 00 24 24 12 12"},
    {"UTC",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1735560000LL,
     "1 01 5 30 30 365 365 365 365 5 60674 M Monday Mon M Monday Mon 02 2 M "
     "Monday Mon 01 1 PM 12 12 12 12 0 00 12 12 12 12"},
    {"UTC",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     946684799LL,
     "52 52 5 31 31 365 365 365 365 5 51543 F Friday Fri F Friday Fri 06 6 F "
     "Friday Fri 05 5 PM 11 11 23 23 11 11 23 23 11 11"},
    {"UTC",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1705314600LL,
     "30 30 0 00 0 000 37800000 UTC UTC +00:00 UTC+0000 +0000 UTC UTC UTC UTC "
     "x X b q't  its op2n"},
    {"UTC",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1720134309LL,
     "5 05 9 09 0 000 83109000 UTC UTC +00:00 UTC+0000 +0000 UTC UTC UTC UTC x "
     "X b q't  its op5n"},
    {"UTC",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1609459200LL,
     "0 00 0 00 0 000 0 UTC UTC +00:00 UTC+0000 +0000 UTC UTC UTC UTC x X b "
     "q't  its op6n"},
    {"UTC",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1735560000LL,
     "0 00 0 00 0 000 43200000 UTC UTC +00:00 UTC+0000 +0000 UTC UTC UTC UTC x "
     "X b q't  its op2n"},
    {"UTC",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     946684799LL,
     "59 59 59 59 0 000 86399000 UTC UTC +00:00 UTC+0000 +0000 UTC UTC UTC UTC "
     "x X b q't  its op6n"},
    {"UTC",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1705314600LL,
     "Mon Monday Jan January Jan 15, 2024, 10:30:00\342\200\257AM|20 15 "
     "01/15/24 15 2024-01-15 24 2024 Jan 10 10 015 10 10 01 30 \n 000000000 "
     "000  AM am"},
    {"UTC",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1720134309LL,
     "Thu Thursday Jul July Jul 4, 2024, 11:05:09\342\200\257PM|20 04 07/04/24 "
     " 4 2024-07-04 24 2024 Jul 23 11 186 23 11 07 05 \n 000000000 000  PM pm"},
    {"UTC",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1609459200LL,
     "Fri Friday Jan January Jan 1, 2021, 12:00:00\342\200\257AM|20 01 "
     "01/01/21  1 2021-01-01 20 2020 Jan 00 12 001  0 12 01 00 \n 000000000 "
     "000  AM am"},
    {"UTC",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1735560000LL,
     "Mon Monday Dec December Dec 30, 2024, 12:00:00\342\200\257PM|20 30 "
     "12/30/24 30 2024-12-30 25 2025 Dec 12 12 365 12 12 12 00 \n 000000000 "
     "000  PM pm"},
    {"UTC",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     946684799LL,
     "Fri Friday Dec December Dec 31, 1999, 11:59:59\342\200\257PM|19 31 "
     "12/31/99 31 1999-12-31 99 1999 Dec 23 11 365 23 11 12 59 \n 000000000 "
     "000  PM pm"},
    {"UTC",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1705314600LL,
     "10:30:00 AM 10:30 1705314600 00 \t 10:30:00 1 02 03 1 03 Jan 15, "
     "2024|10:30:00\342\200\257AM 24 2024 +0000 UTC % %Q Monday 2024-01-15 "
     "%{foo} %{ %"},
    {"UTC",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1720134309LL,
     "11:05:09 PM 23:05 1720134309 09 \t 23:05:09 4 26 27 4 27 Jul 4, "
     "2024|11:05:09\342\200\257PM 24 2024 +0000 UTC % %Q Thursday 2024-07-04 "
     "%{foo} %{ %"},
    {"UTC",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1609459200LL,
     "12:00:00 AM 00:00 1609459200 00 \t 00:00:00 5 00 53 5 00 Jan 1, "
     "2021|12:00:00\342\200\257AM 21 2021 +0000 UTC % %Q Friday 2021-01-01 "
     "%{foo} %{ %"},
    {"UTC",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1735560000LL,
     "12:00:00 PM 12:00 1735560000 00 \t 12:00:00 1 52 01 1 53 Dec 30, "
     "2024|12:00:00\342\200\257PM 24 2024 +0000 UTC % %Q Monday 2024-12-30 "
     "%{foo} %{ %"},
    {"UTC",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     946684799LL,
     "11:59:59 PM 23:59 946684799 59 \t 23:59:59 5 52 52 5 52 Dec 31, "
     "1999|11:59:59\342\200\257PM 99 1999 +0000 UTC % %Q Friday 1999-12-31 "
     "%{foo} %{ %"},
    {"America/New_York", "raw", 1705314600LL, "2024-01-15T10:30:00Z"},
    {"America/New_York", "raw", 1720134309LL, "2024-07-04T23:05:09Z"},
    {"America/New_York", "iso", 1705314600LL, "2024-01-15 05:30:00 -0500"},
    {"America/New_York", "iso", 1720134309LL, "2024-07-04 19:05:09 -0400"},
    {"America/New_York", "rfc", 1705314600LL,
     "Mon, 15 Jan 2024 05:30:00 -0500"},
    {"America/New_York", "rfc", 1720134309LL,
     "Thu, 04 Jul 2024 19:05:09 -0400"},
    {"America/New_York", "full", 1705314600LL,
     "Monday, January 15, 2024, 5:30:00\342\200\257AM America/New_York"},
    {"America/New_York", "full", 1720134309LL,
     "Thursday, July 4, 2024, 7:05:09\342\200\257PM America/New_York"},
    {"America/New_York", "long", 1705314600LL,
     "January 15, 2024, 5:30:00\342\200\257AM EST"},
    {"America/New_York", "long", 1720134309LL,
     "July 4, 2024, 7:05:09\342\200\257PM EDT"},
    {"America/New_York", "medium", 1705314600LL,
     "Jan 15, 2024, 5:30:00\342\200\257AM"},
    {"America/New_York", "medium", 1720134309LL,
     "Jul 4, 2024, 7:05:09\342\200\257PM"},
    {"America/New_York", "short", 1705314600LL, "1/15/24, 5:30\342\200\257AM"},
    {"America/New_York", "short", 1720134309LL, "7/4/24, 7:05\342\200\257PM"},
    {"America/New_York", "default", 1705314600LL,
     "Jan 15, 2024, 5:30:00\342\200\257AM"},
    {"America/New_York", "default", 1720134309LL,
     "Jul 4, 2024, 7:05:09\342\200\257PM"},
    {"America/New_York",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1705314600LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 1st quarter Q1 "
     "01 1 1st quarter Q1 1 J January Jan 01 1 J January Jan 01 1"},
    {"America/New_York",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1720134309LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 3rd quarter Q3 "
     "03 3 3rd quarter Q3 3 J July Jul 07 7 J July Jul 07 7"},
    {"America/New_York",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1705314600LL,
     "3 03 3 15 15 15 15 015 015 3 60324 M Monday Mon M Monday Mon 02 2 M "
     "Monday Mon 01 1 AM 5 05 5 05 5 05 5 05 5 05"},
    {"America/New_York",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1720134309LL,
     "27 27 1 4 04 186 186 186 186 1 60495 T Thursday Thu T Thursday Thu 05 5 "
     "T Thursday Thu 04 4 PM 7 07 19 19 7 07 19 19 7 07"},
    {"America/New_York",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1705314600LL,
     "30 30 0 00 0 000 19800000 America/New_York EST -05:00 EST-0500 -0500 "
     "America/New_York EST America/New_York EST x X b q't  its op2n"},
    {"America/New_York",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1720134309LL,
     "5 05 9 09 0 000 68709000 America/New_York EDT -04:00 EDT-0400 -0400 "
     "America/New_York EDT America/New_York EDT x X b q't  its op5n"},
    {"America/New_York",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1705314600LL,
     "Mon Monday Jan January Jan 15, 2024, 5:30:00\342\200\257AM|20 15 "
     "01/15/24 15 2024-01-15 24 2024 Jan 05 05 015  5  5 01 30 \n 000000000 "
     "000  AM am"},
    {"America/New_York",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1720134309LL,
     "Thu Thursday Jul July Jul 4, 2024, 7:05:09\342\200\257PM|20 04 07/04/24  "
     "4 2024-07-04 24 2024 Jul 19 07 186 19  7 07 05 \n 000000000 000  PM pm"},
    {"America/New_York",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1705314600LL,
     "05:30:00 AM 05:30 1705314600 00 \t 05:30:00 1 02 03 1 03 Jan 15, "
     "2024|5:30:00\342\200\257AM 24 2024 -0500 EST % %Q Monday 2024-01-15 "
     "%{foo} %{ %"},
    {"America/New_York",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1720134309LL,
     "07:05:09 PM 19:05 1720134309 09 \t 19:05:09 4 26 27 4 27 Jul 4, "
     "2024|7:05:09\342\200\257PM 24 2024 -0400 EDT % %Q Thursday 2024-07-04 "
     "%{foo} %{ %"},
    {"Asia/Kolkata", "raw", 1705314600LL, "2024-01-15T10:30:00Z"},
    {"Asia/Kolkata", "raw", 1720134309LL, "2024-07-04T23:05:09Z"},
    {"Asia/Kolkata", "iso", 1705314600LL, "2024-01-15 16:00:00 +0530"},
    {"Asia/Kolkata", "iso", 1720134309LL, "2024-07-05 04:35:09 +0530"},
    {"Asia/Kolkata", "rfc", 1705314600LL, "Mon, 15 Jan 2024 16:00:00 +0530"},
    {"Asia/Kolkata", "rfc", 1720134309LL, "Fri, 05 Jul 2024 04:35:09 +0530"},
    {"Asia/Kolkata", "full", 1705314600LL,
     "Monday, January 15, 2024, 4:00:00\342\200\257PM Asia/Kolkata"},
    {"Asia/Kolkata", "full", 1720134309LL,
     "Friday, July 5, 2024, 4:35:09\342\200\257AM Asia/Kolkata"},
    {"Asia/Kolkata", "long", 1705314600LL,
     "January 15, 2024, 4:00:00\342\200\257PM IST"},
    {"Asia/Kolkata", "long", 1720134309LL,
     "July 5, 2024, 4:35:09\342\200\257AM IST"},
    {"Asia/Kolkata", "medium", 1705314600LL,
     "Jan 15, 2024, 4:00:00\342\200\257PM"},
    {"Asia/Kolkata", "medium", 1720134309LL,
     "Jul 5, 2024, 4:35:09\342\200\257AM"},
    {"Asia/Kolkata", "short", 1705314600LL, "1/15/24, 4:00\342\200\257PM"},
    {"Asia/Kolkata", "short", 1720134309LL, "7/5/24, 4:35\342\200\257AM"},
    {"Asia/Kolkata", "default", 1705314600LL,
     "Jan 15, 2024, 4:00:00\342\200\257PM"},
    {"Asia/Kolkata", "default", 1720134309LL,
     "Jul 5, 2024, 4:35:09\342\200\257AM"},
    {"Asia/Kolkata",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1705314600LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 1st quarter Q1 "
     "01 1 1st quarter Q1 1 J January Jan 01 1 J January Jan 01 1"},
    {"Asia/Kolkata",
     "cldr:GGGG GGGGG G y yy yyy yyyyyy u uuu Y YY QQQQ QQQ QQ Q qqqq qqq q "
     "MMMMM MMMM MMM MM M LLLLL LLLL LLL LL L",
     1720134309LL,
     "Anno Domini A AD 2024 24 2024 02024 2024 2024 2024 2024 3rd quarter Q3 "
     "03 3 3rd quarter Q3 3 J July Jul 07 7 J July Jul 07 7"},
    {"Asia/Kolkata",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1705314600LL,
     "3 03 3 15 15 15 15 015 015 3 60324 M Monday Mon M Monday Mon 02 2 M "
     "Monday Mon 01 1 PM 4 04 16 16 4 04 16 16 4 04"},
    {"Asia/Kolkata",
     "cldr:w ww W d dd D DD DDD DDDD F g EEEEE EEEE EEE eeeee eeee eee ee e "
     "ccccc cccc ccc cc c a h hh H HH K KK k kk j jj",
     1720134309LL,
     "27 27 1 5 05 187 187 187 187 1 60495 F Friday Fri F Friday Fri 06 6 F "
     "Friday Fri 05 5 AM 4 04 4 04 4 04 4 04 4 04"},
    {"Asia/Kolkata",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1705314600LL,
     "0 00 0 00 0 000 57600000 Asia/Kolkata IST +05:30 IST+0530 +0530 "
     "Asia/Kolkata IST Asia/Kolkata IST x X b q't  its op2n"},
    {"Asia/Kolkata",
     "cldr:m mm s ss S SSS A zzzz z ZZZZZ ZZZZ Z vvvv v VVVV V x X b 'q''t' '' "
     "it's 'open",
     1720134309LL,
     "35 35 9 09 0 000 16509000 Asia/Kolkata IST +05:30 IST+0530 +0530 "
     "Asia/Kolkata IST Asia/Kolkata IST x X b q't  its op6n"},
    {"Asia/Kolkata",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1705314600LL,
     "Mon Monday Jan January Jan 15, 2024, 4:00:00\342\200\257PM|20 15 "
     "01/15/24 15 2024-01-15 24 2024 Jan 16 04 015 16  4 01 00 \n 000000000 "
     "000  PM pm"},
    {"Asia/Kolkata",
     "strftime:%a %A %b %B %c|%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n "
     "%N %3N %0N %p %P",
     1720134309LL,
     "Fri Friday Jul July Jul 5, 2024, 4:35:09\342\200\257AM|20 05 07/05/24  5 "
     "2024-07-05 24 2024 Jul 04 04 187  4  4 07 35 \n 000000000 000  AM am"},
    {"Asia/Kolkata",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1705314600LL,
     "04:00:00 PM 16:00 1705314600 00 \t 16:00:00 1 02 03 1 03 Jan 15, "
     "2024|4:00:00\342\200\257PM 24 2024 +0530 IST % %Q Monday 2024-01-15 "
     "%{foo} %{ %"},
    {"Asia/Kolkata",
     "strftime:%r %R %s %S %t %T %u %U %V %w %W %x|%X %y %Y %z %Z %% %Q "
     "%{day_name} %{ymd} %{foo} %{ %",
     1720134309LL,
     "04:35:09 AM 04:35 1720134309 09 \t 04:35:09 5 26 27 5 27 Jul 5, "
     "2024|4:35:09\342\200\257AM 24 2024 +0530 IST % %Q Friday 2024-07-05 "
     "%{foo} %{ %"},

};
#define NCASES (sizeof cases / sizeof cases[0])

/* Format every case of zone `tz` in a child; returns the outputs, each
   NUL-terminated, in case order. */
static char *format_in_zone(const char *tz, size_t *len) {
  int fd[2];
  if (pipe(fd) != 0) return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    setenv("TZ", tz, 1);
    sqlitch_buf b = SQLITCH_BUF_INIT;
    for (size_t i = 0; i < NCASES; i++) {
      if (strcmp(cases[i].tz, tz) != 0) continue;
      sqlitch_err err = SQLITCH_ERR_INIT;
      sqlitch_time t = {cases[i].epoch, 0};
      if (sqlitch_datefmt_format(cases[i].fmt, &t, &b, &err))
        sqlitch_buf_add(&b, err.msg);
      sqlitch_buf_addn(&b, "", 1);
      sqlitch_err_clear(&err);
    }
    ssize_t off = 0;
    while ((size_t)off < b.len) {
      ssize_t w = write(fd[1], b.p + off, b.len - (size_t)off);
      if (w <= 0) _exit(1);
      off += w;
    }
    _exit(0);
  }
  close(fd[1]);
  sqlitch_buf out = SQLITCH_BUF_INIT;
  char chunk[4096];
  ssize_t r;
  while ((r = read(fd[0], chunk, sizeof chunk)) > 0)
    sqlitch_buf_addn(&out, chunk, (size_t)r);
  close(fd[0]);
  waitpid(pid, NULL, 0);
  *len = out.len;
  return sqlitch_buf_take(&out);
}

static void zone_cases(const char *tz) {
  size_t len = 0;
  char *got = format_in_zone(tz, &len);
  const char *p = got, *end = got ? got + len : NULL;
  for (size_t i = 0; i < NCASES; i++) {
    if (strcmp(cases[i].tz, tz) != 0) continue;
    char name[200];
    snprintf(name, sizeof name, "%s %lld %.60s", tz, cases[i].epoch,
             cases[i].fmt);
    is_str(p && p < end ? p : NULL, cases[i].want, name);
    if (p && p < end) p += strlen(p) + 1;
  }
  free(got);
}

static void test_parse(void) {
  sqlitch_time t;
  ok(sqlitch_time_parse("2024-01-15T10:30:00Z", &t) == SQLITCH_OK &&
         t.sec == 1705314600 && t.nsec == 0,
     "parse plan timestamp");
  ok(sqlitch_time_parse("2024-01-15 10:30:00.123", &t) == SQLITCH_OK &&
         t.sec == 1705314600 && t.nsec == 123000000,
     "parse registry timestamp with milliseconds");
  ok(sqlitch_time_parse("2024-01-15T05:30:00-05:00", &t) == SQLITCH_OK &&
         t.sec == 1705314600,
     "parse with offset");
  ok(sqlitch_time_parse("1969-12-31T23:59:59Z", &t) == SQLITCH_OK &&
         t.sec == -1,
     "parse before the epoch");
  ok(sqlitch_time_parse("2024-02-30T00:00:00Z", &t) == SQLITCH_ERROR,
     "reject Feb 30");
  ok(sqlitch_time_parse("2023-02-29T00:00:00Z", &t) == SQLITCH_ERROR,
     "reject Feb 29 in a common year");
  ok(sqlitch_time_parse("2024-01-15T10:30Z", &t) == SQLITCH_ERROR,
     "reject missing seconds");
  ok(sqlitch_time_parse("2024-01-15T10:30:00Zjunk", &t) == SQLITCH_ERROR,
     "reject trailing junk");
  ok(sqlitch_time_parse(NULL, &t) == SQLITCH_ERROR, "reject NULL");
  ok(sqlitch_time_parse_parts("year:2024:month:01:day:15:hour:10:minute:30:"
                              "second:00:time_zone:UTC",
                              &t) == SQLITCH_OK &&
         t.sec == 1705314600,
     "parse registry parts form");
  ok(sqlitch_time_parse_parts("year:2024:month:13:day:15:hour:10:minute:30:"
                              "second:00:time_zone:UTC",
                              &t) == SQLITCH_ERROR,
     "reject month 13 in parts form");
}

static void test_validate(void) {
  static const char *const good[] = {
      "raw",    "iso",   "iso8601", "rfc",         "rfc2822", "full", "long",
      "medium", "short", "cldr:y",  "strftime:%Y", "cldr:",   NULL};
  for (size_t i = 0; good[i]; i++) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    ok(sqlitch_datefmt_validate(good[i], &err) == SQLITCH_OK, good[i]);
  }
  static const char *const bad[] = {"bogus", "default", "ISO",
                                    "",      "cldr",    NULL};
  for (size_t i = 0; bad[i]; i++) {
    sqlitch_err err = SQLITCH_ERR_INIT;
    char want[64];
    snprintf(want, sizeof want, "Unknown date format \"%s\"", bad[i]);
    ok(sqlitch_datefmt_validate(bad[i], &err) == SQLITCH_ERROR, "rejects");
    is_str(err.msg, want, "validate message");
    is_int(err.exitval, 255, "validate exits 255");
    sqlitch_err_clear(&err);
  }
  sqlitch_err err = SQLITCH_ERR_INIT;
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_time t = {0, 0};
  ok(sqlitch_datefmt_format("bogus", &t, &b, &err) == SQLITCH_ERROR,
     "format rejects unknown name");
  is_str(err.msg, "Unknown date format \"bogus\"", "format message");
  is_int(err.exitval, 2, "format error exits 2");
  sqlitch_err_clear(&err);
  ok(sqlitch_datefmt_format(NULL, &t, &b, &err) == SQLITCH_OK, "NULL = raw");
  is_str(sqlitch_buf_str(&b), "1970-01-01T00:00:00Z", "raw epoch");
  sqlitch_buf_reset(&b);
  ok(sqlitch_datefmt_format("0", &t, &b, &err) == SQLITCH_OK, "\"0\" = raw");
  is_str(sqlitch_buf_str(&b), "1970-01-01T00:00:00Z", "\"0\" is raw");
  sqlitch_buf_free(&b);
}

static void test_nanos(void) {
  sqlitch_buf b = SQLITCH_BUF_INIT;
  sqlitch_time t = {1705314600, 123456789};
  sqlitch_datefmt_strftime("%N|%3N|%6N|%12N|%0N", &t, &b);
  is_str(sqlitch_buf_str(&b), "123456789|123|123456|123456789000|",
         "strftime nanoseconds");
  sqlitch_buf_reset(&b);
  sqlitch_datefmt_cldr("S SS SSSS A", &t, &b);
  is_str(sqlitch_buf_str(&b), "1 12 1234 37800123", "cldr fractions");
  sqlitch_buf_free(&b);
}

int main(void) {
  /* zones first: the parent must not resolve its own zone before forking */
  zone_cases("UTC");
  zone_cases("America/New_York");
  zone_cases("Asia/Kolkata");
  setenv("TZ", "UTC", 1);
  test_parse();
  test_validate();
  test_nanos();
  return tap_done();
}
