"""A client for `rewardml serve`, standard library only (urllib): post JSON, retry 503s after their Retry-After.

    from reward_client import RewardClient
    client = RewardClient("http://127.0.0.1:8000")
    client.get_reward(queries, prompts)        # OpenRLHF's protocol -> list of floats (null -> None)
    client.score([{"prompt": p, "code": c}])   # per item: score, probability, step_scores, step_ends
"""
import json
import time
import urllib.error
import urllib.request


class RewardServerError(RuntimeError):
    """The server refused a request (4xx/5xx other than a passing 503); the message is the server's own."""


class RewardClient:
    def __init__(self, url="http://127.0.0.1:8000", timeout=300.0, retries=20):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries

    def get_reward(self, queries, prompts):
        """OpenRLHF's remote reward model call: each query is its prompt followed by the response."""
        return self._post("/get_reward", {"query": list(queries), "prompts": list(prompts)})["rewards"]

    def score(self, items):
        """Native scoring: [{"prompt", "code"}] -> [{"score", "probability", "step_scores", "step_ends"}]."""
        return self._post("/v1/score", {"items": list(items)})["items"]

    def health(self):
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=self.timeout) as response:
                return json.load(response)["status"]
        except urllib.error.HTTPError as e:  # 503 while the model loads
            return json.load(e)["status"]

    def wait_until_ready(self, seconds=300.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.health() == "ready":
                    return
            except (urllib.error.URLError, ConnectionError):
                pass  # not listening yet
            time.sleep(0.5)
        raise TimeoutError(f"{self.url} was not ready within {seconds} s")

    def _post(self, path, body):
        data = json.dumps(body).encode("utf-8")
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as e:
                message = e.read().decode("utf-8", "replace")
                if e.code == 503 and attempt < self.retries:  # queue full or model loading: come back later
                    time.sleep(float(e.headers.get("Retry-After", "1")))
                    continue
                try:
                    message = json.loads(message)["error"]
                except (ValueError, KeyError):
                    pass
                raise RewardServerError(f"{path}: HTTP {e.code}: {message}") from None
        raise AssertionError("unreachable")
