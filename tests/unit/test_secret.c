/* Password sources: command, file (with $CREDENTIALS_DIRECTORY), inline;
 * failures say what failed without the secret. */
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"

#include "secret.h"

static void
test_expand(void **unused)
{
	char *err = NULL, *p;

	p = secret_expand_path("$CREDENTIALS_DIRECTORY/imap", "/run/cred/x", &err);
	assert_string_equal(p, "/run/cred/x/imap");
	free(p);
	p = secret_expand_path("${CREDENTIALS_DIRECTORY}/smtp", "/run/c", &err);
	assert_string_equal(p, "/run/c/smtp");
	free(p);
	p = secret_expand_path("imap", "/run/c", &err);
	assert_string_equal(p, "/run/c/imap");
	free(p);
	p = secret_expand_path("/etc/followupd/pw", NULL, &err);
	assert_string_equal(p, "/etc/followupd/pw");
	free(p);
	assert_null(secret_expand_path("$CREDENTIALS_DIRECTORY/imap", NULL, &err));
	assert_string_equal(err, "password_file '$CREDENTIALS_DIRECTORY/imap' uses $CREDENTIALS_DIRECTORY, which is not set");
	free(err);
}

static void
test_sources(void **unused)
{
	struct server sv = {0};
	char *out = NULL, *err = NULL;
	char path[] = "/tmp/fu-secret-XXXXXX";
	int fd;

	sv.password_command = (char *)"printf 's3cret\\nsecond line\\n'";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "s3cret");
	secret_free(out);

	sv.password_command = (char *)"echo s3cret; exit 3";
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_string_equal(err, "password_command failed with exit status 3");
	free(err);

	sv.password_command = (char *)"true";
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_string_equal(err, "password_command printed nothing");
	free(err);

	sv.password_command = NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "filepw\r\n", 8), 8);
	close(fd);
	sv.password_file = path;
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "filepw");
	secret_free(out);
	unlink(path);
	assert_int_equal(secret_fetch(&sv, &out, &err), -1);
	assert_non_null(strstr(err, "No such file"));
	free(err);

	sv.password_file = NULL;
	sv.password = (char *)"inline";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "inline");
	secret_free(out);

	sv.auth = AUTH_OAUTH2;
	sv.token_command = (char *)"echo ya29.token";
	assert_int_equal(secret_fetch(&sv, &out, &err), 0);
	assert_string_equal(out, "ya29.token");
	secret_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
