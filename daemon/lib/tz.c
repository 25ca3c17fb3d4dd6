#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "day.h"
#include "tz.h"

static const char *
zoneinfo_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir && *dir ? dir : "/usr/share/zoneinfo";
}

int
tz_check(const char *name, const char **why)
{
	char path[PATH_MAX], magic[4];
	int fd;
	ssize_t n;

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL ||
	    strlen(name) > 200) {
		*why = "not an IANA time zone name";
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", zoneinfo_dir(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = "unknown time zone (not in the system zoneinfo)";
		return -1;
	}
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n != 4 || memcmp(magic, "TZif", 4) != 0) {
		*why = "unknown time zone (not in the system zoneinfo)";
		return -1;
	}
	return 0;
}

int
tz_use(const char *name, char **err)
{
	const char *why;
	char *val;

	if (tz_check(name, &why) < 0) {
		*err = xasprintf("%s: %s", name, why);
		return -1;
	}
	val = xasprintf(":%s", name);
	setenv("TZ", val, 1);
	free(val);
	tzset();
	return 0;
}

char *
tz_system_name(void)
{
	const char *env = getenv("TZ");
	char link[PATH_MAX];
	const char *why;
	ssize_t n;
	FILE *f;

	if (env != NULL && *env != '\0') {
		if (*env == ':')
			env++;
		if (tz_check(env, &why) == 0)
			return xstrdup(env);
	}
	f = fopen("/etc/timezone", "re");
	if (f != NULL) {
		char line[256];

		if (fgets(line, sizeof line, f) != NULL) {
			line[strcspn(line, " \t\r\n")] = '\0';
			if (tz_check(line, &why) == 0) {
				fclose(f);
				return xstrdup(line);
			}
		}
		fclose(f);
	}
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n > 0) {
		const char *p;

		link[n] = '\0';
		p = strstr(link, "zoneinfo/");
		if (p != NULL && tz_check(p + 9, &why) == 0)
			return xstrdup(p + 9);
	}
	return xstrdup("UTC");
}

int
tz_day_of(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
tz_minute_of(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

time_t
tz_time_of(int day, int minute)
{
	struct tm tm = {0};
	int y, m, d;

	day_to_ymd(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	return mktime(&tm);
}
