/*
 * file_io: what the writes of a copy share. A failed file operation is
 * one CPLError that names the file and gives the system's reason, in words
 * a user can act on where the reason is common (a full disk). What is
 * written reaches the disk before it is moved into place.
 */
#ifndef XAV_FILE_IO_H
#define XAV_FILE_IO_H

#include "cpl_vsi.h"

/* CPLError "XAVIDEO: cannot VERB PATH: REASON." from errnum (errno at the
 * failure; 0 when the file system gave none). Returns -1. */
int xav_file_error(const char *verb, const char *path, int errnum);

/* Flushes fp and has the system put its bytes on the disk, before the file
 * is moved into place: a disk that fills only as the kernel writes back
 * (a thin-provisioned disk whose host is full) fails here instead of after
 * the copy said it succeeded, and a crash after the move cannot leave a
 * short file under the final name. Files without a descriptor (/vsimem/,
 * network file systems) are flushed only. Returns 0, or -1 with errno. */
int xav_file_sync(VSILFILE *fp);

#endif /* XAV_FILE_IO_H */
