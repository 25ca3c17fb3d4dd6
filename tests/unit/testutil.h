/* Shared by the unit tests: cmocka's prerequisites and small helpers. */
#ifndef FOLLOWUPD_TESTUTIL_H
#define FOLLOWUPD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "day.h"
#include "diag.h"
#include "tz.h"

/* A day from "YYYY-MM-DD"; fails the test on a malformed literal. */
static inline int
D(const char *s)
{
	int day;

	assert_int_equal(day_parse(s, &day), 0);
	return day;
}

/* A configuration from text (the test fails when it does not parse, with
 * the diagnostics), its time zone in use. */
static inline struct config *
test_config(const char *text)
{
	static const struct config_env env = { 0600, "UTC", NULL, NULL, "/home/jane" };
	struct diag d = { 0 };
	char *err = NULL;
	struct config *cfg = config_parse("t.conf", text, strlen(text), &env, &d);

	if (cfg == NULL)
		fail_msg("%s", buf_str(&d.text));
	diag_free(&d);
	if (tz_use(cfg->timezone, &err) != 0)
		fail_msg("%s", err);
	return cfg;
}

#endif
