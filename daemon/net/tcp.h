/* tcp: a TCP connection with a timeout, so that a stream can be built on
 * it (and limited, see capstream) before anything is read from it. */
#ifndef FOLLOWUPD_TCP_H
#define FOLLOWUPD_TCP_H

/* Connects to host:port, trying each address in turn, each for at most
 * timeout seconds. A blocking socket (close-on-exec), or -1 with *err
 * allocated (why, without the address: "refused or unreachable"). */
int tcp_connect(const char *host, int port, long timeout, char **err);

#endif
