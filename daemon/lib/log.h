/* log: the daemon's diagnostics on stderr. Under systemd's journal
 * (JOURNAL_STREAM names the descriptor) every line starts with a
 * sd-daemon(3) priority prefix ("<3>" error ... "<7>" debug) and without
 * the "followupd: " the journal shows anyway; elsewhere lines read
 * "followupd: message". */
#ifndef FOLLOWUPD_LOG_H
#define FOLLOWUPD_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

enum log_prio {
	LOG_PRIO_ERR = 3,
	LOG_PRIO_WARNING = 4,
	LOG_PRIO_NOTICE = 5,
	LOG_PRIO_INFO = 6,
	LOG_PRIO_DEBUG = 7,
};

struct log {
	FILE *f;
	bool journal;        /* prefix lines with <N> */
	int verbosity;       /* -1 quiet (errors only), 0 normal, 1+ verbose */
};

/* Is fd the stream JOURNAL_STREAM ("DEVICE:INODE") names? */
bool log_is_journal(int fd, const char *journal_stream);

void log_init(struct log *l, FILE *f, int verbosity);
/* One message; dropped when prio is below what verbosity shows: quiet
 * shows warnings and errors, normal adds notices and information,
 * verbose adds debug. Multi-line messages are split, each line
 * prefixed. */
void log_msg(struct log *l, enum log_prio prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends line (no newline) to out as one log line: under the journal
 * "<N>" and the text without a leading "followupd: "; elsewhere the
 * text, after "followupd: " when named is set and it has none. Pure. */
void log_format(struct buf *out, bool journal, enum log_prio prio, const char *line,
    bool named);

#endif
