"""InventoryConfig: `ansible-inventory` jobs."""

from __future__ import annotations

from ansible_runner.config.doc import AnsibleToolConfig
from ansible_runner.exceptions import ConfigurationError


class InventoryConfig(AnsibleToolConfig):
    """How to run `ansible-inventory`."""

    program = 'ansible-inventory'
    _supported_response_formats = ('json', 'yaml', 'toml')
    _supported_actions = ('graph', 'host', 'list')

    @property
    def _ansible_inventory_exec_path(self) -> str:
        return self.executable_path

    def prepare_inventory_command(self, action: str, inventories: list[str],
                                  response_format: str | None = None, host: str | None = None,
                                  playbook_dir: str | None = None, vault_ids: str | None = None,
                                  vault_password_file: str | None = None,
                                  output_file: str | None = None,
                                  export: bool | None = None) -> None:
        """`ansible-inventory --ACTION [HOST] -i INV... [options]`, checked as the reference does."""
        self._check(action, inventories, response_format, host)
        arguments = [f'--{action}']
        if action == 'host':
            arguments.append(str(host))
        for inventory in inventories:
            arguments.extend(['-i', inventory])
        if response_format in ('yaml', 'toml'):
            arguments.append(f'--{response_format}')
        for flag, value in (('--playbook-dir', playbook_dir), ('--vault-id', vault_ids),
                            ('--vault-password-file', vault_password_file),
                            ('--output', output_file)):
            if value:
                arguments.extend([flag, value])
        if export:
            arguments.append('--export')
        self.run_program(arguments)

    def _check(self, action: str, inventories: list[str], response_format: str | None,
               host: str | None) -> None:
        if action not in self._supported_actions:
            raise ConfigurationError(
                f'Invalid action {action}, valid value is one of either '
                f'{", ".join(self._supported_actions)}')
        if response_format and response_format not in self._supported_response_formats:
            raise ConfigurationError(
                f'Invalid response_format {response_format}, valid value is one of either '
                f'{", ".join(self._supported_response_formats)}')
        if not isinstance(inventories, list):
            raise ConfigurationError(
                f'inventories should be of type list, instead received {inventories} '
                f'of type {type(inventories)}')
        if action == 'host' and host is None:
            raise ConfigurationError("Value of host parameter is required when action in 'host'")
        if action == 'graph' and response_format and response_format != 'json':
            raise ConfigurationError("'graph' action supports only 'json' response format")
