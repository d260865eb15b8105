"""AnsibleCfgConfig: `ansible-config` jobs."""

from __future__ import annotations

from ansible_runner.config.doc import AnsibleToolConfig
from ansible_runner.exceptions import ConfigurationError


class AnsibleCfgConfig(AnsibleToolConfig):
    """How to run `ansible-config`."""

    program = 'ansible-config'
    _supported_actions = ('list', 'dump', 'view')

    @property
    def _ansible_config_exec_path(self) -> str:
        return self.executable_path

    def prepare_ansible_config_command(self, action: str, config_file: str | None = None,
                                       only_changed: bool | None = None) -> None:
        """`ansible-config ACTION [-c FILE] [--only-changed]`."""
        if action not in self._supported_actions:
            raise ConfigurationError(
                f'Invalid action {action}, valid value is one of either '
                f'{", ".join(self._supported_actions)}')
        if action != 'dump' and only_changed:
            raise ConfigurationError("only_changed is applicable for action 'dump'")
        arguments = [action]
        if config_file:
            arguments.extend(['-c', config_file])
        if only_changed:
            arguments.append('--only-changed')
        self.run_program(arguments)
