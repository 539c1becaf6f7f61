"""Multi-worker training: the strategy of a cluster and each worker's role in it.

The cluster (:class:`~.config.ClusterConfig`, validated with the rest of the experiment before TensorFlow loads)
comes from ``--workers host1:port,host2:port --worker-index I`` or an existing ``TF_CONFIG``. Every worker runs the
same experiment under ``tf.distribute.MultiWorkerMirroredStrategy``; the chief (task ``chief``, or worker 0 when the
cluster has none) is the one that writes the run folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .config import ClusterConfig

__all__ = ["WorkerRole", "multi_worker_strategy", "peer_loss_as_error", "worker_role"]


@dataclass(frozen=True)
class WorkerRole:
    """Where this process stands in its strategy's cluster (a single process is the chief of a cluster of one)."""

    is_chief: bool = True
    name: str = "chief"
    workers: int = 1

    @property
    def multi_worker(self) -> bool:
        return self.workers > 1


def multi_worker_strategy(cluster: ClusterConfig):
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
    workers = sum(len(spec.get(kind, ())) for kind in ("chief", "worker"))
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
