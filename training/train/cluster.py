"""Multi-worker training: the cluster a ``fit`` joins, its strategy, and each worker's role in it.

A cluster is given on the command line (``--workers host1:port,host2:port --worker-index I``) or by an existing
``TF_CONFIG`` (TensorFlow's own variable, as cluster managers set it). Every worker runs the same experiment under
``tf.distribute.MultiWorkerMirroredStrategy``; the chief (task ``chief``, or worker 0 when the cluster has none) is
the one that writes the run folder. Parsing needs no TensorFlow, so a bad cluster is a usage error before it loads.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Cluster", "WorkerRole", "cluster_from_args", "multi_worker_strategy", "peer_loss_as_error", "worker_role"]

TASK_TYPES = ("chief", "worker")  # what MultiWorkerMirroredStrategy trains with (no parameter servers, evaluator)


@dataclass(frozen=True)
class Cluster:
    """The workers of a multi-worker run and which one this process is (``TF_CONFIG``'s content)."""

    tasks: dict[str, tuple[str, ...]]
    """Task type (``chief``, ``worker``) -> ``host:port`` addresses, in index order."""
    task_type: str
    task_index: int

    def tf_config(self) -> str:
        """The ``TF_CONFIG`` JSON that describes this cluster and task."""
        return json.dumps({"cluster": {k: list(v) for k, v in self.tasks.items()},
                           "task": {"type": self.task_type, "index": self.task_index}})


@dataclass(frozen=True)
class WorkerRole:
    """Where this process stands in its strategy's cluster (a single process is the chief of a cluster of one)."""

    is_chief: bool = True
    name: str = "chief"
    workers: int = 1

    @property
    def multi_worker(self) -> bool:
        return self.workers > 1


def _address(text: str, where: str) -> str:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{where}: {text.strip()!r} is not host:port (a port from 1 to 65535)")
    return f"{host}:{int(port)}"


def _checked(tasks: dict, task_type: object, task_index: object, where: str) -> Cluster:
    if not isinstance(tasks, dict) or not tasks:
        raise ValueError(f"{where}: 'cluster' must map task types to lists of host:port")
    unknown = sorted(set(tasks) - set(TASK_TYPES))
    if unknown:
        raise ValueError(f"{where}: task type(s) {unknown} are not supported; multi-worker training uses "
                         f"{' and '.join(TASK_TYPES)} tasks only")
    parsed: dict[str, tuple[str, ...]] = {}
    for kind, addresses in tasks.items():
        if not isinstance(addresses, list) or not addresses:
            raise ValueError(f"{where}: cluster.{kind} must be a non-empty list of host:port")
        parsed[kind] = tuple(_address(str(a), f"{where}: cluster.{kind}") for a in addresses)
    if len(parsed.get("chief", ())) > 1:
        raise ValueError(f"{where}: a cluster has at most one chief")
    every = [a for addresses in parsed.values() for a in addresses]
    repeated = sorted({a for a in every if every.count(a) > 1})
    if repeated:
        raise ValueError(f"{where}: address(es) {repeated} listed twice; each worker needs its own host:port")
    if task_type not in parsed:
        raise ValueError(f"{where}: task type {task_type!r} is not in the cluster ({', '.join(parsed)})")
    if isinstance(task_index, bool) or not isinstance(task_index, int) \
            or not 0 <= task_index < len(parsed[task_type]):
        raise ValueError(f"{where}: task index {task_index!r} out of range: the cluster has "
                         f"{len(parsed[task_type])} {task_type} task(s), indices from 0")
    return Cluster(parsed, task_type, task_index)


def cluster_from_args(workers: str | None, worker_index: int | None,
                      tf_config: str | None = None) -> Cluster | None:
    """The cluster of ``--workers``/``--worker-index``, else of ``tf_config`` (``TF_CONFIG``), else None (one
    process). Raises ValueError naming the flag or variable that cannot work."""
    if workers is None:
        if worker_index is not None:
            raise ValueError("--worker-index needs --workers (the host:port of every worker)")
        if not tf_config or not tf_config.strip():
            return None
        try:
            raw = json.loads(tf_config)
        except json.JSONDecodeError as error:
            raise ValueError(f"TF_CONFIG is not valid JSON ({error})") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("task"), dict):
            raise ValueError("TF_CONFIG: expected {\"cluster\": {...}, \"task\": {\"type\": ..., \"index\": ...}}")
        return _checked(raw.get("cluster"), raw["task"].get("type"), raw["task"].get("index", 0), "TF_CONFIG")
    if tf_config and tf_config.strip():
        raise ValueError("TF_CONFIG is set and --workers is given: describe the cluster one way (unset TF_CONFIG "
                         "or drop --workers)")
    if worker_index is None:
        raise ValueError("--workers needs --worker-index (this machine's position in the list, from 0)")
    addresses = [a for a in workers.split(",") if a.strip()]
    return _checked({"worker": addresses}, "worker", worker_index, "--workers")


def multi_worker_strategy(cluster: Cluster):
    """``MultiWorkerMirroredStrategy`` over ``cluster``; call it before TensorFlow runs any operation.

    ``TF_CONFIG`` is set for this process (the strategy reads it); the strategy waits for every worker to start.
    """
    os.environ["TF_CONFIG"] = cluster.tf_config()
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy()


def worker_role(strategy) -> WorkerRole:
    """This process's role under ``strategy``: the chief is task ``chief``, or worker 0 of a cluster without one."""
    resolver = getattr(strategy, "cluster_resolver", None)
    spec = resolver.cluster_spec().as_dict() if resolver is not None else {}
    if not spec or resolver.task_type is None:
        return WorkerRole()
    workers = sum(len(spec.get(kind, ())) for kind in TASK_TYPES)
    chief = resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0
                                              and "chief" not in spec)
    return WorkerRole(is_chief=chief, name=f"{resolver.task_type} {resolver.task_id}", workers=workers)


@contextmanager
def peer_loss_as_error(role: WorkerRole, checkpoints: str) -> Iterator[None]:
    """Turn TensorFlow's "a worker stopped" failure into one clear error that says how to resume."""
    import tensorflow as tf

    try:
        yield
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError) as error:
        if not role.multi_worker:
            raise
        # TensorFlow names the peers it lost as /job:worker/replica:0/task:1
        peers = sorted({f"{job} {task}" for job, task in re.findall(r"/job:(\w+)/replica:\d+/task:(\d+)", str(error))}
                       - {role.name})
        raise RuntimeError(f"{role.name}: lost contact with {', '.join(peers) or 'another worker'} "
                           f"({type(error).__name__}); start every worker again with the same command: training "
                           f"resumes from the last checkpoint in {checkpoints}") from None
