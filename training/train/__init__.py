"""Training: experiment configs, losses, optimizer, streaming unroll, the ``fit`` loop with checkpoints and logs."""
