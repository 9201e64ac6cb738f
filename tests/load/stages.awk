# Splits folded stacks (stackcollapse-perf.pl: "root;...;leaf COUNT") into request stages.
# Each stack goes to the innermost frame that names a stage, read from the leaf up, so GC and kernel time
# count for the stage that caused them (an allocation in decoding is decoding). The counts are perf's sample
# periods, nanoseconds of CPU for the cpu-clock event. Usage:
#   awk -v requests=N -f stages.awk folded.txt
function stage(frame) {
  if (frame ~ /AdmissionMetrics|System\.Diagnostics\.Metrics|\[OpenTelemetry|OpenTelemetry\./) return "metrics"
  if (frame ~ /AdmissionHandler::Encode|AdmissionEndpoints.*Write|JsonSerializer::Serialize|Utf8JsonWriter/) return "encode"
  if (frame ~ /PolicyEngine|AdmissionGuard\.Evaluation|AdmissionGuard\.Images|AdmissionGuard\.Scans|AdmissionState::LabelsOf/) return "evaluate"
  if (frame ~ /JsonSerializer::Deserialize|AdmissionHandler::Open|AgJsonContext|Utf8JsonReader|JsonConverter|AdmissionReviewReader/) return "decode"
  if (frame ~ /AdmissionEndpoints|AdmissionHandler/) return "handler (rest)"
  if (frame ~ /Microsoft\.AspNetCore\.Routing|EndpointMiddleware|RequestDelegateFactory|Microsoft\.AspNetCore\.Http\.Generated/) return "routing"
  if (frame ~ /SslStream|System\.Net\.Security|libssl|libcrypto|Interop\+(Ssl|Crypto)/) return "TLS"
  if (frame ~ /Microsoft\.AspNetCore\.Server\.Kestrel|System\.IO\.Pipelines|Microsoft\.AspNetCore\.Hosting/) return "Kestrel"
  if (frame ~ /System\.Net\.Sockets/) return "sockets"
  return ""
}
{
  count = $NF
  sub(/ [0-9]+$/, "")
  n = split($0, frames, ";")
  found = ""
  for (i = n; i >= 1 && found == ""; i--) found = stage(frames[i])
  if (found == "") {
    # Not under a named stage: runtime threads by name, then stacks that perf could not unwind past a C library
    # (libc and OpenSSL have no frame pointers), recognised by their leaf.
    if (frames[1] ~ /^\.NET_Server_GC|^\.NET_BGC|^\.NET_GC/ || $0 ~ /gc_heap|GCHeap|WKS::|SVR::/) found = "GC threads"
    else if (frames[1] ~ /^\.NET_Tiered_Com/ || $0 ~ /libclrjit|TieredCompilation|CallCountingManager|ThePreStub/) found = "JIT and runtime stubs"
    else if ($0 ~ /__libc_recv|__send|recvmsg|sendmsg|epoll_wait|tcp_|__sys_recvfrom|__sys_sendto/) found = "sockets"
    else if ($0 ~ /libssl|libcrypto|ERR_|EVP_|SSL_|ossl_|aesni|gcm_|CRYPTO_/) found = "TLS"
    else found = "other (thread pool, scheduler, runtime)"
  }
  samples[found] += count
  total += count
}
END {
  order = "TLS|sockets|Kestrel|routing|handler (rest)|decode|evaluate|encode|metrics|GC threads|JIT and runtime stubs|other (thread pool, scheduler, runtime)"
  k = split(order, names, "|")
  printf "| stage | CPU ms | share | CPU µs/request |\n| --- | ---: | ---: | ---: |\n"
  for (i = 1; i <= k; i++) {
    s = samples[names[i]] + 0
    printf "| %s | %.0f | %.1f %% | %.1f |\n", names[i], s / 1e6, 100 * s / (total ? total : 1), (requests ? s / 1e3 / requests : 0)
  }
  printf "| all | %.0f | 100 %% | %.1f |\n", total / 1e6, (requests ? total / 1e3 / requests : 0)
}
