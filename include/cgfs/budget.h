/* SPDX-License-Identifier: MIT */
/*
 * budget: what open files and directories cost the daemon, per user and
 * in all. Each open handle costs a small fixed record; a rendered value
 * or listing is kept between reads only while a reader is part-way
 * through it, and only within a byte budget per user and in all
 * (beyond it, each read renders afresh). The number of handles is capped
 * per user (cgfs.conf's max_open_files) and for every user but root
 * together (max_open_files_total).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes of rendered values and listings kept between reads, per user and
 * for everybody together (root included). */
#define BUDGET_KEEP_USER (1u << 20)
#define BUDGET_KEEP_TOTAL (64u << 20)

/* The cap on open handles of every user but root together; -1: none.
 * Takes effect for later opens. */
void budget_set_total(long total);

/* One more open handle for uid, whose own cap is cap (-1: none). Root
 * (uid 0) is never refused and does not count towards the total.
 * 0, -EMFILE (uid holds cap already), -ENFILE (the total is reached) or
 * -ENOMEM; on error nothing is counted. */
int budget_open(uid_t uid, long cap);

/* The handle budget_open() counted is closed. */
void budget_close(uid_t uid);

/* Whether bytes more may be kept for uid (counted if so): false beyond
 * BUDGET_KEEP_USER for the user or BUDGET_KEEP_TOTAL in all, or when uid
 * holds no open handle. */
bool budget_keep(uid_t uid, size_t bytes);

/* bytes that budget_keep() counted for uid are freed. */
void budget_unkeep(uid_t uid, size_t bytes);

/* What uid holds now, for tests and logs: its open handles and kept
 * bytes (0 and 0 for a user with none). */
void budget_usage(uid_t uid, long *ret_open, size_t *ret_kept);

/* Open handles of every user but root, and kept bytes of everybody. */
void budget_totals(long *ret_open, size_t *ret_kept);
