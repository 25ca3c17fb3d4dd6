/* followupd run: the daemon, every part of the engine (engine.h) under
 * the service manager's eye. */
#include <stdio.h>
#include <sysexits.h>

#include "cmd.h"
#include "diag.h"
#include "engine.h"
#include "log.h"

#define RUN_USAGE "run"

int
cmd_run(struct app *app, int argc, char **argv)
{
	struct log log;
	struct engine_opts o = {
		.config_path = app->config_path, .log = &log,
		.parts = ENGINE_WATCH | ENGINE_MAIL | ENGINE_FEED,
	};
	struct config *cfg;
	struct diag d = { 0 };
	int status;

	(void)argv;
	if (argc != 1)
		return cmd_usage_error(app, RUN_USAGE);
	log_init(&log, app->err, app->verbosity);
	/* The configuration's errors are the log's first lines, one each,
	 * with their priority. */
	if ((cfg = config_load(app->config_path, &d)) == NULL) {
		log_msg(&log, LOG_PRIO_ERR, "%s", buf_str(&d.text));
		status = d.status ? d.status : EX_CONFIG;
		diag_free(&d);
		return status;
	}
	diag_free(&d);
	return engine_run(cfg, &o);
}
