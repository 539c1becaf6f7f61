"""tf.data pipeline over a :class:`~.sampler.Sampler`: parallel decode/crop, batching, prefetch.

Element ``i`` of the stream is ``sampler.sample(start_index + i)``; samples are decoded in parallel but emitted in
order (``deterministic=True``), so the stream is reproducible from the seed and resumable from a sample index.
A multi-worker run gives each worker one shard: its contiguous slice of every global batch, so the workers together
see each global batch exactly once and no sample twice.
"""

from __future__ import annotations

import atexit
import gc

import numpy as np
import tensorflow as tf

from .sampler import Sampler

__all__ = ["limit_blas_threads", "make_dataset"]

_ENDLESS = 2**62  # Dataset.range end: "forever" for any realistic training
_EXITING = False


@atexit.register
def _stop_producers() -> None:
    # A tf.data iterator still alive at exit keeps its producer threads calling back into Python; a call that
    # starts once the interpreter is finalizing never gets the GIL, and the process hangs. So, while Python still
    # runs: make further callbacks fail fast, then release the iterators' resources (which cancels the pipelines).
    global _EXITING
    _EXITING = True
    try:
        from tensorflow.python.data.ops.iterator_ops import OwnedIterator
    except ImportError:  # pragma: no cover - TF internals moved; the flag alone still narrows the window
        return
    for obj in gc.get_objects():
        if isinstance(obj, OwnedIterator) and getattr(obj, "_iterator_resource", None) is not None:
            obj._iterator_resource = None
    gc.collect()


class _InterpreterExiting(RuntimeError):
    pass


def limit_blas_threads() -> None:
    """One BLAS thread per caller in this process: the sampler's small resampling products run in ``workers``
    parallel threads already, and OpenBLAS' own threads made each of them spin (a 216x216 bicubic downscale took
    95 ms instead of 2 ms on 2 busy cores, and the input pipeline used more CPU than the training step)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def make_dataset(sampler: Sampler, batch_size: int, start_index: int = 0, workers: int = 2,
                 prefetch: int = 2, shard: int = 0, num_shards: int = 1) -> tf.data.Dataset:
    """Endless dataset of ``(lr [B,T,p,p,3], hr [B,T,sp,sp,3])`` float32 batches starting at ``start_index``.

    With ``num_shards`` > 1 it is shard ``shard`` of that stream: of every global batch of ``batch_size`` samples,
    the ``shard``-th of ``num_shards`` contiguous slices, as batches of ``batch_size // num_shards``.
    """
    t, p, s = sampler.frames, sampler.patch, sampler.scale
    if batch_size % num_shards or not 0 <= shard < num_shards:
        raise ValueError(f"batch_size {batch_size} cannot be split into shard {shard} of {num_shards}")
    per_shard = batch_size // num_shards
    limit_blas_threads()

    def sample(index: np.int64) -> tuple[np.ndarray, np.ndarray]:
        if _EXITING:
            raise _InterpreterExiting("interpreter shutting down")
        return sampler.sample(int(index))

    def load(position: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        # position-th sample of this shard -> its index in the whole stream (the identity for one shard)
        index = start_index + position // per_shard * batch_size + shard * per_shard + position % per_shard
        lr, hr = tf.numpy_function(sample, [index], (tf.float32, tf.float32), stateful=False)
        lr.set_shape((t, p, p, 3))
        hr.set_shape((t, p * s, p * s, 3))
        return lr, hr

    options = tf.data.Options()
    options.deterministic = True
    options.threading.private_threadpool_size = max(1, workers)
    ds = tf.data.Dataset.range(_ENDLESS)
    ds = ds.map(load, num_parallel_calls=max(1, workers), deterministic=True)
    return ds.batch(per_shard, drop_remainder=True).prefetch(prefetch).with_options(options)
