/* verify-client.h: token checks for the stream responder, by the backstream-verify helper. */
#ifndef BACKSTREAM_VERIFY_CLIENT_H
#define BACKSTREAM_VERIFY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

/*
 * A stream responder lives for hours and there may be a thousand of them:
 * loading OpenSSL would cost each about 600 KiB of private memory, so it
 * asks a short-lived helper instead (a few milliseconds, once per stream).
 */
enum verify_result {
	VERIFY_OK,
	VERIFY_INVALID,		/* 401 */
	VERIFY_UNAVAILABLE,	/* 503: certificates missing, helper broken */
};

/*
 * Runs helper (a path) with config path conf_path, giving it token on
 * stdin.  On VERIFY_OK fills uid (UID_MAX + 1 bytes) and *exp (seconds);
 * on VERIFY_UNAVAILABLE writes a reason for the log into why.
 */
enum verify_result verify_token(const char *helper, const char *conf_path,
		    const char *token, char *uid, int64_t *exp, char *why,
		    size_t whylen);

#endif
