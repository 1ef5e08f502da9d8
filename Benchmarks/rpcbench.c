// rpcbench: drives one JSON-RPC method over treatyd's Unix socket from N concurrent clients, each doing
// sequential round trips, and prints requests/s, p50 and p99 latency. Written in C so the numbers measure the
// daemon, not the client.
//
//   rpcbench SOCKET CLIENTS REQUESTS_PER_CLIENT METHOD PARAMS_TEMPLATE [IDS_FILE]
//
// PARAMS_TEMPLATE is a JSON object; "%s" in it is replaced by an id drawn (seeded, reproducible) from IDS_FILE.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *socket_path, *method, *template;
static char **ids;
static int id_count, per_client;
static double *latencies;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *client(void *arg) {
    long index = (long)arg;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, socket_path, sizeof(address.sun_path) - 1);
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) { perror("connect"); exit(1); }
    unsigned int seed = 42 + (unsigned int)index;
    char params[4096], request[8192];
    static __thread char buffer[1 << 20];
    for (int i = 0; i < per_client; i++) {
        const char *id = id_count ? ids[rand_r(&seed) % id_count] : "";
        snprintf(params, sizeof(params), template, id);
        int length = snprintf(request, sizeof(request), "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s,\"id\":%d}\n", method, params, i);
        double start = now();
        if (write(fd, request, length) != length) { perror("write"); exit(1); }
        size_t got = 0;
        for (;;) {
            ssize_t n = read(fd, buffer + got, sizeof(buffer) - got);
            if (n <= 0) { fprintf(stderr, "connection closed\n"); exit(1); }
            got += n;
            if (buffer[got - 1] == '\n') break;
        }
        if (i == 0 && index == 0 && strstr(buffer, "\"error\"")) { fprintf(stderr, "error answer: %.300s\n", buffer); exit(1); }
        latencies[index * per_client + i] = now() - start;
    }
    close(fd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: rpcbench SOCKET CLIENTS REQUESTS METHOD PARAMS [IDS]\n"); return 2; }
    socket_path = argv[1];
    int clients = atoi(argv[2]);
    per_client = atoi(argv[3]);
    method = argv[4];
    template = argv[5];
    if (argc > 6) {
        FILE *f = fopen(argv[6], "r");
        char line[256];
        ids = malloc(sizeof(char *) * 200000);
        while (f && fgets(line, sizeof(line), f) && id_count < 200000) {
            line[strcspn(line, "\n")] = 0;
            ids[id_count++] = strdup(line);
        }
    }
    latencies = calloc((size_t)clients * per_client, sizeof(double));
    pthread_t threads[1024];
    double start = now();
    for (long i = 0; i < clients; i++) pthread_create(&threads[i], NULL, client, (void *)i);
    for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
    double elapsed = now() - start;
    size_t total = (size_t)clients * per_client;
    qsort(latencies, total, sizeof(double), compare);
    printf("%.0f %.3f %.3f\n", total / elapsed, latencies[total / 2] * 1000, latencies[total * 99 / 100] * 1000);
    return 0;
}
