#include <errno.h>
#include <stdlib.h>

#include "capstream.h"

struct cap {
	mailstream_low *inner;
	size_t cap, used;
	int tripped;
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
	if (n > 0) {
		c->used += (size_t)n;
		if (c->used > c->cap) {
			c->tripped = 1;
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

	c->used = 0;   /* a command: its response starts */
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
capstream_tripped(mailstream *s)
{
	mailstream_low *low = mailstream_get_low(s);

	return low != NULL && low->driver == &cap_driver && cap_of(low)->tripped;
}
