"""Old import path of RunnerConfig, kept because applications still use it."""

from ansible_runner.config.runner import ExecutionMode, RunnerConfig

__all__ = ['ExecutionMode', 'RunnerConfig']
