/*
 * file_io: what the writes of a copy share. A failed file operation is
 * one CPLError that names the file and gives the system's reason, in words
 * a user can act on where the reason is common (a full disk).
 */
#ifndef XAV_FILE_IO_H
#define XAV_FILE_IO_H

/* CPLError "XAVIDEO: cannot VERB PATH: REASON." from errnum (errno at the
 * failure; 0 when the file system gave none). Returns -1. */
int xav_file_error(const char *verb, const char *path, int errnum);

#endif /* XAV_FILE_IO_H */
