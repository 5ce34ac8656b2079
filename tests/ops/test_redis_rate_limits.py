"""Two `caseattest serve` replicas sharing one real redis-server: a token's
limit holds across both, per counsellor too; with Redis stopped mid-test the
requests are still served (on local counters), /readyz and /metrics say so,
the log says it once, and the limits are shared again once Redis is back."""

import json
import time

import pytest

from live import RedisServer, Serve, deployment, needs_services, request

pytestmark = needs_services

LIST_LIMIT = 5
COUNSELLOR_LIMIT = 2


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    work = tmp_path_factory.mktemp("redis-limits")
    redis = RedisServer(work).start()
    servers = []
    try:
        with deployment(work) as world:
            env = dict(world["env"], CASEATTEST_REDIS_URL=redis.url,
                       CASEATTEST_API_RATE_LIMITS=f"list_attestations={LIST_LIMIT},"
                                                  f"request_attestation_per_counsellor={COUNSELLOR_LIMIT}")
            servers = [Serve(env, work, ["--no-auto-intake"]), Serve(env, work, ["--no-auto-intake"])]
            yield {"redis": redis, "servers": servers, **world}
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def auth(token):
    return {"Authorization": "Bearer " + token}


def test_a_tokens_limit_holds_across_both_replicas(replicas):
    a, b = replicas["servers"]
    statuses = []
    for index in range(LIST_LIMIT + 2):
        server = (a, b)[index % 2]
        status, headers, _ = request(server.base + "/v1/cases/1/attestations", headers=auth(replicas["backend"]))
        statuses.append(status)
    # No case 1: each admitted request is a 404; the window is shared, so the
    # sixth request overall is refused, whichever replica gets it.
    assert statuses == [404] * LIST_LIMIT + [429, 429], statuses
    status, headers, _ = request(b.base + "/v1/cases/1/attestations", headers=auth(replicas["backend"]))
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    # Another caller has a window of its own.
    assert request(a.base + "/v1/cases/1/attestations", headers=auth(replicas["auditor"]))[0] == 404
    keys = replicas["redis"].cli("--scan", "--pattern", "ratelimit:*:list_attestations").split()
    assert len(keys) == 2, keys
    ttl = int(replicas["redis"].cli("TTL", keys[0]))
    assert 0 < ttl <= 60


def test_the_counsellor_limit_holds_across_both_replicas(replicas):
    a, b = replicas["servers"]
    headers = dict(auth(replicas["backend"]), **{"Content-Type": "application/json"})
    body = json.dumps({"counsellorId": 77})
    statuses = [request(server.base + "/v1/cases/1/attestations", "POST", headers, body)[0]
                for server in (a, b, a, b)]
    assert statuses == [404] * COUNSELLOR_LIMIT + [429, 429], statuses
    assert replicas["redis"].cli("EXISTS", "ratelimit:counsellor-77:request_attestation").strip() == "1"


def readiness(server):
    status, _, body = request(server.base + "/readyz")
    return status, json.loads(body)


def metric(server, name):
    _, _, body = request(server.base + "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def test_redis_down_requests_served_and_reported_then_back(replicas):
    a, b = replicas["servers"]
    redis = replicas["redis"]
    status, body = readiness(a)
    assert status == 200 and body["status"] == "ready" and body["checks"]["redis"] == {"status": "ok"}, body
    assert metric(a, "caseattest_redis_up") == 1

    redis.stop()
    # The shared window is used up, but with Redis gone each replica counts
    # on its own: requests are served (404, no case), never a 5xx.
    for server in (a, b, a, b):
        status = request(server.base + "/v1/cases/1/attestations", headers=auth(replicas["backend"]))[0]
        assert status == 404, status
    status, body = readiness(a)
    assert status == 200 and body["status"] == "degraded", body
    assert body["checks"]["redis"]["status"] == "degraded"
    assert "Redis unreachable" in body["checks"]["redis"]["reason"]
    assert body["checks"]["database"] == {"status": "ok"}
    assert metric(a, "caseattest_redis_up") == 0
    for server in (a, b):
        assert server.log().count("Redis unreachable: rate limits fall back") == 1, server.log()[-3000:]

    redis.start()  # the same port
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and readiness(a)[1]["status"] != "ready":
        time.sleep(0.5)
    status, body = readiness(a)
    assert status == 200 and body["status"] == "ready", body
    assert metric(a, "caseattest_redis_up") == 1
    assert "Redis reachable" in a.log()


def test_no_secret_in_the_logs(replicas):
    for server in replicas["servers"]:
        log = server.log()
        assert replicas["backend"] not in log and replicas["auditor"] not in log
        assert "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" not in log
