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

#include "day.h"

/* A day from "YYYY-MM-DD"; fails the test on a malformed literal. */
static inline int
D(const char *s)
{
	int day;

	assert_int_equal(day_parse(s, &day), 0);
	return day;
}

#endif
