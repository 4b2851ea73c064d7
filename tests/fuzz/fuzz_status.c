// SPDX-License-Identifier: MIT
/*
 * fuzz_status: policy_parse_status_uid on arbitrary /proc/PID/status text
 * (the input, NUL-terminated). Moving a process into a group is allowed
 * or refused on what it returns, so besides not crashing it must only
 * succeed on a real "Uid:" line (one that starts a line, the first
 * included), and never with the invalid uid -1.
 */
#include <errno.h>
#include <sys/types.h>

#include "cgfs/policy.h"
#include "fuzz.h"

#define UNSET ((uid_t)12345678)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *status = fuzz_strndup(data, size);
	uid_t uid = UNSET;
	int res = policy_parse_status_uid(status, &uid);

	fuzz_assert(res == 0 || res == -EINVAL);
	if (res < 0) {
		fuzz_assert(uid == UNSET);
	} else {
		fuzz_assert(uid != (uid_t)-1);
		fuzz_assert(strncmp(status, "Uid:", 4) == 0 || strstr(status, "\nUid:") != NULL);
	}
	free(status);
	return 0;
}
