#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capstream.h"

/* ---- the scanner ---------------------------------------------------------- */

enum {
	SC_TEXT,       /* outside strings and literals */
	SC_QUOTED,     /* in "..." */
	SC_ESCAPE,     /* after a backslash in "..." */
	SC_SIZE,       /* in {N} */
	SC_SIZE_END,   /* after {N}: CRLF starts the literal */
	SC_SIZE_CR,    /* after {N} CR */
	SC_LITERAL,    /* number bytes to skip */
};

/* Big enough for any literal the byte cap lets through, small enough
 * never to overflow while the digits come. */
#define SC_NUMBER_MAX ((uint64_t)1 << 40)

enum capstream_trip
capstream_scan_feed(struct capstream_scan *sc, const unsigned char *p, size_t n,
    unsigned max_depth, size_t max_items)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = p[i];

		switch (sc->state) {
		case SC_LITERAL: {
			/* Its bytes are data, whatever they look like. */
			uint64_t skip = n - i < sc->number ? n - i : sc->number;

			sc->number -= skip;
			i += (size_t)skip - 1;
			if (sc->number == 0)
				sc->state = SC_TEXT;
			continue;
		}
		case SC_QUOTED:
			if (ch == '\\')
				sc->state = SC_ESCAPE;
			else if (ch == '"')
				sc->state = SC_TEXT;
			else if (ch == '\n')
				goto line_end;   /* no string spans lines */
			continue;
		case SC_ESCAPE:
			sc->state = SC_QUOTED;
			if (ch == '\n')
				goto line_end;
			continue;
		case SC_SIZE:
			if (ch >= '0' && ch <= '9') {
				if (sc->number < SC_NUMBER_MAX)
					sc->number = sc->number * 10 + (ch - '0');
				continue;
			}
			if (ch == '+')   /* LITERAL+ form */
				continue;
			if (ch == '}') {
				sc->state = SC_SIZE_END;
				continue;
			}
			break;   /* not a literal after all: the byte is text */
		case SC_SIZE_END:
			if (ch == '\r') {
				sc->state = SC_SIZE_CR;
				continue;
			}
			break;
		case SC_SIZE_CR:
			if (ch == '\n') {
				if (!sc->commanded || sc->first == '+')
					return CAPSTREAM_LITERAL;
				sc->items++;   /* the line goes on after the literal */
				sc->state = sc->number > 0 ? SC_LITERAL : SC_TEXT;
				if (sc->items > max_items)
					return CAPSTREAM_MANY;
				continue;
			}
			break;
		}
		sc->state = SC_TEXT;
		if (!sc->midline) {
			sc->midline = true;
			sc->first = ch;
		}
		switch (ch) {
		case '"':
			sc->state = SC_QUOTED;
			break;
		case '{':
			sc->state = SC_SIZE;
			sc->number = 0;
			break;
		case '(':
			if (++sc->depth > max_depth)
				return CAPSTREAM_DEEP;
			/* fall through */
		case ' ':
			if (++sc->items > max_items)
				return CAPSTREAM_MANY;
			break;
		case ')':
			if (sc->depth > 0)
				sc->depth--;
			if (++sc->items > max_items)
				return CAPSTREAM_MANY;
			break;
		case '\n':
			goto line_end;
		}
		continue;
line_end:
		/* A response line is over: its parentheses are too. */
		sc->state = SC_TEXT;
		sc->depth = 0;
		sc->midline = false;
		if (++sc->items > max_items)
			return CAPSTREAM_MANY;
	}
	return CAPSTREAM_FINE;
}

void
capstream_scan_command(struct capstream_scan *sc)
{
	sc->items = 0;
	sc->commanded = true;
}

/* ---- the stream ----------------------------------------------------------- */

struct cap {
	mailstream_low *inner;
	size_t cap, used;
	struct capstream_scan scan;
	enum capstream_trip tripped;
	bool unbounded;        /* the caller bounds what it reads itself */
};

static struct cap *
cap_of(mailstream_low *s)
{
	return s->data;
}

static ssize_t
cap_read(mailstream_low *s, void *buf, size_t count)
{
	struct cap *c = cap_of(s);
	ssize_t n;

	if (c->tripped) {
		errno = EMSGSIZE;
		return -1;
	}
	n = c->inner->driver->mailstream_read(c->inner, buf, count);
	if (n > 0 && !c->unbounded) {
		c->used += (size_t)n;
		c->tripped = c->used > c->cap ? CAPSTREAM_BIG :
		    capstream_scan_feed(&c->scan, buf, (size_t)n, CAPSTREAM_MAX_DEPTH,
		    CAPSTREAM_MAX_ITEMS);
		if (c->tripped != CAPSTREAM_FINE) {
			errno = EMSGSIZE;
			return -1;
		}
	}
	return n;
}

static ssize_t
cap_write(mailstream_low *s, const void *buf, size_t count)
{
	struct cap *c = cap_of(s);

	/* A command: its response starts. (The scanner's place in a
	 * string or literal stays: DONE can be written in the middle of
	 * one.) */
	c->used = 0;
	capstream_scan_command(&c->scan);
	return c->inner->driver->mailstream_write(c->inner, buf, count);
}

static int
cap_close(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_close(c->inner);
}

static int
cap_get_fd(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_get_fd(c->inner);
}

static void
cap_free(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	mailstream_low_free(c->inner);
	free(c);
	s->data = NULL;
	free(s);
}

static void
cap_cancel(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	if (c->inner->driver->mailstream_cancel != NULL)
		c->inner->driver->mailstream_cancel(c->inner);
}

static struct mailstream_cancel *
cap_get_cancel(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_get_cancel != NULL ?
	    c->inner->driver->mailstream_get_cancel(c->inner) : NULL;
}

static carray *
cap_get_certificate_chain(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_get_certificate_chain != NULL ?
	    c->inner->driver->mailstream_get_certificate_chain(c->inner) : NULL;
}

static int
cap_setup_idle(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_setup_idle != NULL ?
	    c->inner->driver->mailstream_setup_idle(c->inner) : -1;
}

static int
cap_unsetup_idle(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_unsetup_idle != NULL ?
	    c->inner->driver->mailstream_unsetup_idle(c->inner) : -1;
}

static int
cap_interrupt_idle(mailstream_low *s)
{
	struct cap *c = cap_of(s);

	return c->inner->driver->mailstream_interrupt_idle != NULL ?
	    c->inner->driver->mailstream_interrupt_idle(c->inner) : -1;
}

static mailstream_low_driver cap_driver = {
	.mailstream_read = cap_read,
	.mailstream_write = cap_write,
	.mailstream_close = cap_close,
	.mailstream_get_fd = cap_get_fd,
	.mailstream_free = cap_free,
	.mailstream_cancel = cap_cancel,
	.mailstream_get_cancel = cap_get_cancel,
	.mailstream_get_certificate_chain = cap_get_certificate_chain,
	.mailstream_setup_idle = cap_setup_idle,
	.mailstream_unsetup_idle = cap_unsetup_idle,
	.mailstream_interrupt_idle = cap_interrupt_idle,
};

int
capstream_wrap(mailstream *s, size_t cap)
{
	mailstream_low *inner = mailstream_get_low(s), *low;
	struct cap *c;

	if (inner == NULL || (c = calloc(1, sizeof *c)) == NULL)
		return -1;
	c->inner = inner;
	c->cap = cap;
	if ((low = mailstream_low_new(c, &cap_driver)) == NULL) {
		free(c);
		return -1;
	}
	/* The timeout and identity stay the inner stream's. */
	low->timeout = inner->timeout;
	mailstream_set_low(s, low);
	return 0;
}

int
capstream_unbounded(mailstream *s, bool on)
{
	mailstream_low *low = s != NULL ? mailstream_get_low(s) : NULL;
	struct cap *c;

	if (low == NULL || low->driver != &cap_driver)
		return -1;
	c = cap_of(low);
	c->unbounded = on;
	if (!on) {
		/* The caller read up to the end of a line: what comes next
		 * starts one, and counts as a new response. */
		memset(&c->scan, 0, sizeof c->scan);
		c->scan.commanded = true;
		c->used = 0;
	}
	return 0;
}

enum capstream_trip
capstream_tripped(mailstream *s)
{
	mailstream_low *low = s != NULL ? mailstream_get_low(s) : NULL;

	return low != NULL && low->driver == &cap_driver ? cap_of(low)->tripped :
	    CAPSTREAM_FINE;
}
