#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clean.h"
#include "davxml.h"

#define NS_DAV "DAV:"
#define NS_CALDAV "urn:ietf:params:xml:ns:caldav"

/* Whether n is the element {ns}name. */
static bool
is_elem(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The first child {ns}name of n, or NULL. */
static const xmlNode *
child(const xmlNode *n, const char *ns, const char *name)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (is_elem(c, ns, name))
			return c;
	return NULL;
}

/* The text and CDATA children of n, one after the other, into b. Entity
 * reference nodes are skipped on purpose: libxml2 keeps them (we never
 * ask for NOENT), and walking into them is how a billion laughs would be
 * expanded after all. Returns false when the text passes max bytes. */
static bool
text_of(const xmlNode *n, size_t max, struct buf *b)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		size_t l;

		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		if (c->content == NULL)
			continue;
		l = strlen((const char *)c->content);
		if (l > max || b->len > max - l)
			return false;
		buf_append(b, (const char *)c->content, l);
	}
	return true;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The text of n without blanks around it into *out (allocated; NULL
 * when it is empty). -1 when it is longer than max. */
static int
short_text(const xmlNode *n, size_t max, char **out)
{
	struct buf b = { 0 };
	size_t skip = 0, l;

	*out = NULL;
	if (!text_of(n, max, &b)) {
		buf_free(&b);
		return -1;
	}
	while (skip < b.len && is_blank(b.data[skip]))
		skip++;
	l = b.len - skip;
	while (l > 0 && is_blank(b.data[skip + l - 1]))
		l--;
	if (l > 0)
		*out = xstrndup(b.data + skip, l);
	buf_free(&b);
	return 0;
}

int
davxml_status(const char *line)
{
	const char *p = line;
	int code = 0;

	while (is_blank(*p))
		p++;
	if (strncmp(p, "HTTP/", 5) != 0)
		return 0;
	p += 5;
	while (*p != '\0' && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	for (int i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9')
			return 0;
		code = code * 10 + (*p - '0');
	}
	if (*p != '\0' && !is_blank(*p))
		return 0;
	return code >= 100 ? code : 0;
}

/* The status of the {DAV:}status child of n, 0 when none. */
static int
status_of(const xmlNode *n)
{
	const xmlNode *s = child(n, NS_DAV, "status");
	char *t;
	int code;

	if (s == NULL || short_text(s, 100, &t) != 0 || t == NULL)
		return 0;
	code = davxml_status(t);
	free(t);
	return code;
}

/* Reads the calendar-data element d into it: leading blanks and trailing
 * spaces and tabs go (pretty-printing), line ends stay. */
static void
take_data(const xmlNode *d, struct dav_item *it)
{
	struct buf b = { 0 };
	size_t skip = 0, l;

	text_of(d, SIZE_MAX, &b);
	while (skip < b.len && is_blank(b.data[skip]))
		skip++;
	l = b.len - skip;
	while (l > 0 && (b.data[skip + l - 1] == ' ' || b.data[skip + l - 1] == '\t'))
		l--;
	if (l > 0) {
		it->data = xstrndup(b.data + skip, l);
		it->len = l;
	}
	buf_free(&b);
}

/* One {DAV:}response into it. False when it is to be skipped. */
static bool
read_response(const xmlNode *r, struct dav_item *it)
{
	const xmlNode *h = child(r, NS_DAV, "href");
	int first = 0;      /* the status of the first propstat with our props */
	bool ok = false;

	memset(it, 0, sizeof *it);
	if (h == NULL || short_text(h, DAVXML_MAX_STR, &it->href) != 0 ||
	    it->href == NULL)
		return false;
	for (const xmlNode *ps = r->children; ps != NULL; ps = ps->next) {
		const xmlNode *prop, *e, *d;
		int st;

		if (!is_elem(ps, NS_DAV, "propstat"))
			continue;
		if ((prop = child(ps, NS_DAV, "prop")) == NULL)
			continue;
		e = child(prop, NS_DAV, "getetag");
		d = child(prop, NS_CALDAV, "calendar-data");
		if (e == NULL && d == NULL)
			continue;
		st = status_of(ps);
		if (first == 0)
			first = st;
		if (st < 200 || st > 299)
			continue;
		ok = true;
		it->status = st;
		/* An ETag that is too long skips the response; an empty
		 * one is no ETag. */
		if (e != NULL && it->etag == NULL &&
		    short_text(e, DAVXML_MAX_STR, &it->etag) != 0)
			goto skip;
		if (d != NULL && it->data == NULL)
			take_data(d, it);
	}
	if (!ok) {
		/* A deleted resource: no propstat, a status of its own. */
		it->status = status_of(r);
		if (it->status == 0)
			it->status = first;
	}
	return true;
skip:
	free(it->href);
	free(it->etag);
	free(it->data);
	memset(it, 0, sizeof *it);
	return false;
}

/* libxml2's own words for why the body is not XML. */
static char *
xml_error(const xmlParserCtxt *ctx)
{
	const xmlError *e = &ctx->lastError;
	struct buf b = { 0 };
	size_t l;

	buf_puts(&b, "not XML");
	if (e->message != NULL) {
		l = strlen(e->message);
		while (l > 0 && is_blank(e->message[l - 1]))
			l--;
		buf_puts(&b, ": ");
		clean_append(&b, e->message, l > 200 ? 200 : l);
		if (e->line > 0)
			buf_printf(&b, " (line %d)", e->line);
	}
	return buf_take(&b);
}

int
davxml_parse(const char *body, size_t len, struct dav_list *out, char **err)
{
	/* Never NOENT (entities expanded), DTDLOAD, DTDATTR or HUGE: nothing
	 * from outside is read and libxml2's size limits hold. */
	const int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING;
	xmlParserCtxt *ctx;
	const xmlNode *root;
	size_t cap = 0;
	xmlDoc *doc;

	out->v = NULL;
	out->n = 0;
	if (len > INT_MAX) {
		*err = xstrdup("the answer is too large to parse");
		return -1;
	}
	if ((ctx = xmlNewParserCtxt()) == NULL) {
		*err = xstrdup("cannot start libxml2");
		return -1;
	}
	doc = xmlCtxtReadMemory(ctx, body, (int)len, NULL, NULL, opts);
	if (doc == NULL) {
		*err = xml_error(ctx);
		xmlFreeParserCtxt(ctx);
		return -1;
	}
	xmlFreeParserCtxt(ctx);
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_elem(root, NS_DAV, "multistatus")) {
		struct buf b = { 0 };

		buf_puts(&b, "not a WebDAV multistatus (the root element is ");
		if (root != NULL)
			clean_append(&b, (const char *)root->name,
			    strnlen((const char *)root->name, 100));
		else
			buf_puts(&b, "missing");
		buf_puts(&b, ")");
		*err = buf_take(&b);
		xmlFreeDoc(doc);
		return -1;
	}
	for (const xmlNode *r = root->children; r != NULL; r = r->next) {
		struct dav_item it;

		if (!is_elem(r, NS_DAV, "response"))
			continue;
		if (!read_response(r, &it))
			continue;
		if (out->n == DAVXML_MAX_ITEMS) {
			free(it.href);
			free(it.etag);
			free(it.data);
			dav_list_free(out);
			xmlFreeDoc(doc);
			*err = xasprintf("more than %d responses", DAVXML_MAX_ITEMS);
			return -1;
		}
		if (out->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
		}
		out->v[out->n++] = it;
	}
	xmlFreeDoc(doc);
	return 0;
}

void
dav_list_free(struct dav_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].href);
		free(l->v[i].etag);
		free(l->v[i].data);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
