/* control: applies a reply to the digest to the state (followupd(8),
 * REPLIES): every command line of its new text, in one transaction, once
 * per reply Message-ID; each line is kept with what was done or why not,
 * for the next digest. */
#ifndef FOLLOWUPD_CONTROL_H
#define FOLLOWUPD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "store.h"

struct control_result {
	size_t applied;            /* commands applied */
	size_t refused;            /* lines not understood */
	bool again;                /* the reply was applied before: nothing done */
};

/* body is the reply's text (plain, UTF-8); at its Date. 0, or -1 with *err
 * (nothing applied). */
int control_apply_reply(const struct config *cfg, struct store *st,
    const char *message_id, time_t at, const char *body, time_t now,
    struct control_result *res, char **err);

#endif
