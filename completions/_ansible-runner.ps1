
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ansible-runner' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ansible-runner'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ansible-runner' {
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Artifact directory (for `process`)')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print the version and exit')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Suppress Ansible output (for `process`)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Suppress Ansible output (for `process`)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print events as JSON lines (for `process`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print events as JSON lines (for `process`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run ansible-runner in the foreground')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start an ansible-runner process in the background')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop an ansible-runner process started with `start`')
            [CompletionResult]::new('is-alive', 'is-alive', [CompletionResultType]::ParameterValue, 'Check if an ansible-runner process started with `start` is running')
            [CompletionResult]::new('transmit', 'transmit', [CompletionResultType]::ParameterValue, 'Send a job template')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Execute work streamed from a controlling instance')
            [CompletionResult]::new('process', 'process', [CompletionResultType]::ParameterValue, 'Receive the output of remote ansible-runner work and distribute the results')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Show a finished or running job again from its artifacts')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the runs kept under artifacts/, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ansible-runner;run' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('--module', '--module', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Process isolation executable or container engine')
            [CompletionResult]::new('--process-isolation-path', '--process-isolation-path', [CompletionResultType]::ParameterName, 'Path that an isolated playbook run will use for staging')
            [CompletionResult]::new('--process-isolation-hide-paths', '--process-isolation-hide-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be hidden from the playbook run')
            [CompletionResult]::new('--process-isolation-show-paths', '--process-isolation-show-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run')
            [CompletionResult]::new('--process-isolation-ro-paths', '--process-isolation-ro-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run as read-only')
            [CompletionResult]::new('--directory-isolation-base-path', '--directory-isolation-base-path', [CompletionResultType]::ParameterName, 'Copy the project into a temporary directory under this path')
            [CompletionResult]::new('--container-image', '--container-image', [CompletionResultType]::ParameterName, 'Container image to use when running an Ansible task')
            [CompletionResult]::new('--container-volume-mount', '--container-volume-mount', [CompletionResultType]::ParameterName, 'Bind mounts (in the form ''host_dir:/container_dir''); may be repeated')
            [CompletionResult]::new('--container-option', '--container-option', [CompletionResultType]::ParameterName, 'Extra options to pass to the container engine; may be repeated')
            [CompletionResult]::new('--logfile', '--logfile', [CompletionResultType]::ParameterName, 'Log output messages to a file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--rotate-artifacts', '--rotate-artifacts', [CompletionResultType]::ParameterName, 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Optional path for the artifact root directory, by default it is located inside the private data dir')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Define the set of hosts to execute against (only with -m or -r)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--limit` parameter to further constrain the inventory to be used')
            [CompletionResult]::new('--cmdline', '--cmdline', [CompletionResultType]::ParameterName, 'Command line options to pass to ansible-playbook at execution time')
            [CompletionResult]::new('--forks', '--forks', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--forks` parameter to set the number of concurrent processes')
            [CompletionResult]::new('--roles-path', '--roles-path', [CompletionResultType]::ParameterName, 'Path used to locate the role to be executed (default: <private_data_dir>/roles)')
            [CompletionResult]::new('--role-vars', '--role-vars', [CompletionResultType]::ParameterName, 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the run (a test case per task and host) to this file')
            [CompletionResult]::new('--notify-url', '--notify-url', [CompletionResultType]::ParameterName, 'POST a JSON summary of the run to this URL when it ends (see --notify-on)')
            [CompletionResult]::new('--notify-on', '--notify-on', [CompletionResultType]::ParameterName, 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter''s textfile collector)')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'With --lock: wait up to this many seconds for the lock instead of exiting')
            [CompletionResult]::new('--daemonized', '--daemonized', [CompletionResultType]::ParameterName, 'Set by `start` on the detached process it launches, with the canonical private data dir')
            [CompletionResult]::new('--process-isolation', '--process-isolation', [CompletionResultType]::ParameterName, 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Enable ansible-runner debug output logging')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--omit-event-data', '--omit-event-data', [CompletionResultType]::ParameterName, 'Omit event data from all events')
            [CompletionResult]::new('--only-failed-event-data', '--only-failed-event-data', [CompletionResultType]::ParameterName, 'Only include event data for failed tasks')
            [CompletionResult]::new('--omit-env-files', '--omit-env-files', [CompletionResultType]::ParameterName, 'Do not write the inputs of this run (such as --cmdline) into the private data dir''s env/')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Increase Ansible verbosity')
            [CompletionResult]::new('--role-skip-facts', '--role-skip-facts', [CompletionResultType]::ParameterName, 'Disable fact collection when the role is executed')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)')
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'Take an exclusive lock on the private data dir; exit 75 at once if another run holds it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;start' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('--module', '--module', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Process isolation executable or container engine')
            [CompletionResult]::new('--process-isolation-path', '--process-isolation-path', [CompletionResultType]::ParameterName, 'Path that an isolated playbook run will use for staging')
            [CompletionResult]::new('--process-isolation-hide-paths', '--process-isolation-hide-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be hidden from the playbook run')
            [CompletionResult]::new('--process-isolation-show-paths', '--process-isolation-show-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run')
            [CompletionResult]::new('--process-isolation-ro-paths', '--process-isolation-ro-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run as read-only')
            [CompletionResult]::new('--directory-isolation-base-path', '--directory-isolation-base-path', [CompletionResultType]::ParameterName, 'Copy the project into a temporary directory under this path')
            [CompletionResult]::new('--container-image', '--container-image', [CompletionResultType]::ParameterName, 'Container image to use when running an Ansible task')
            [CompletionResult]::new('--container-volume-mount', '--container-volume-mount', [CompletionResultType]::ParameterName, 'Bind mounts (in the form ''host_dir:/container_dir''); may be repeated')
            [CompletionResult]::new('--container-option', '--container-option', [CompletionResultType]::ParameterName, 'Extra options to pass to the container engine; may be repeated')
            [CompletionResult]::new('--logfile', '--logfile', [CompletionResultType]::ParameterName, 'Log output messages to a file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--rotate-artifacts', '--rotate-artifacts', [CompletionResultType]::ParameterName, 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Optional path for the artifact root directory, by default it is located inside the private data dir')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Define the set of hosts to execute against (only with -m or -r)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--limit` parameter to further constrain the inventory to be used')
            [CompletionResult]::new('--cmdline', '--cmdline', [CompletionResultType]::ParameterName, 'Command line options to pass to ansible-playbook at execution time')
            [CompletionResult]::new('--forks', '--forks', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--forks` parameter to set the number of concurrent processes')
            [CompletionResult]::new('--roles-path', '--roles-path', [CompletionResultType]::ParameterName, 'Path used to locate the role to be executed (default: <private_data_dir>/roles)')
            [CompletionResult]::new('--role-vars', '--role-vars', [CompletionResultType]::ParameterName, 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the run (a test case per task and host) to this file')
            [CompletionResult]::new('--notify-url', '--notify-url', [CompletionResultType]::ParameterName, 'POST a JSON summary of the run to this URL when it ends (see --notify-on)')
            [CompletionResult]::new('--notify-on', '--notify-on', [CompletionResultType]::ParameterName, 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter''s textfile collector)')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'With --lock: wait up to this many seconds for the lock instead of exiting')
            [CompletionResult]::new('--daemonized', '--daemonized', [CompletionResultType]::ParameterName, 'Set by `start` on the detached process it launches, with the canonical private data dir')
            [CompletionResult]::new('--process-isolation', '--process-isolation', [CompletionResultType]::ParameterName, 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Enable ansible-runner debug output logging')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--omit-event-data', '--omit-event-data', [CompletionResultType]::ParameterName, 'Omit event data from all events')
            [CompletionResult]::new('--only-failed-event-data', '--only-failed-event-data', [CompletionResultType]::ParameterName, 'Only include event data for failed tasks')
            [CompletionResult]::new('--omit-env-files', '--omit-env-files', [CompletionResultType]::ParameterName, 'Do not write the inputs of this run (such as --cmdline) into the private data dir''s env/')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Increase Ansible verbosity')
            [CompletionResult]::new('--role-skip-facts', '--role-skip-facts', [CompletionResultType]::ParameterName, 'Disable fact collection when the role is executed')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)')
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'Take an exclusive lock on the private data dir; exit 75 at once if another run holds it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;stop' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('--module', '--module', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Process isolation executable or container engine')
            [CompletionResult]::new('--process-isolation-path', '--process-isolation-path', [CompletionResultType]::ParameterName, 'Path that an isolated playbook run will use for staging')
            [CompletionResult]::new('--process-isolation-hide-paths', '--process-isolation-hide-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be hidden from the playbook run')
            [CompletionResult]::new('--process-isolation-show-paths', '--process-isolation-show-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run')
            [CompletionResult]::new('--process-isolation-ro-paths', '--process-isolation-ro-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run as read-only')
            [CompletionResult]::new('--directory-isolation-base-path', '--directory-isolation-base-path', [CompletionResultType]::ParameterName, 'Copy the project into a temporary directory under this path')
            [CompletionResult]::new('--container-image', '--container-image', [CompletionResultType]::ParameterName, 'Container image to use when running an Ansible task')
            [CompletionResult]::new('--container-volume-mount', '--container-volume-mount', [CompletionResultType]::ParameterName, 'Bind mounts (in the form ''host_dir:/container_dir''); may be repeated')
            [CompletionResult]::new('--container-option', '--container-option', [CompletionResultType]::ParameterName, 'Extra options to pass to the container engine; may be repeated')
            [CompletionResult]::new('--logfile', '--logfile', [CompletionResultType]::ParameterName, 'Log output messages to a file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--rotate-artifacts', '--rotate-artifacts', [CompletionResultType]::ParameterName, 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Optional path for the artifact root directory, by default it is located inside the private data dir')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Define the set of hosts to execute against (only with -m or -r)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--limit` parameter to further constrain the inventory to be used')
            [CompletionResult]::new('--cmdline', '--cmdline', [CompletionResultType]::ParameterName, 'Command line options to pass to ansible-playbook at execution time')
            [CompletionResult]::new('--forks', '--forks', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--forks` parameter to set the number of concurrent processes')
            [CompletionResult]::new('--roles-path', '--roles-path', [CompletionResultType]::ParameterName, 'Path used to locate the role to be executed (default: <private_data_dir>/roles)')
            [CompletionResult]::new('--role-vars', '--role-vars', [CompletionResultType]::ParameterName, 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"')
            [CompletionResult]::new('--process-isolation', '--process-isolation', [CompletionResultType]::ParameterName, 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Enable ansible-runner debug output logging')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--omit-event-data', '--omit-event-data', [CompletionResultType]::ParameterName, 'Omit event data from all events')
            [CompletionResult]::new('--only-failed-event-data', '--only-failed-event-data', [CompletionResultType]::ParameterName, 'Only include event data for failed tasks')
            [CompletionResult]::new('--omit-env-files', '--omit-env-files', [CompletionResultType]::ParameterName, 'Do not write the inputs of this run (such as --cmdline) into the private data dir''s env/')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Increase Ansible verbosity')
            [CompletionResult]::new('--role-skip-facts', '--role-skip-facts', [CompletionResultType]::ParameterName, 'Disable fact collection when the role is executed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;is-alive' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('--module', '--module', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Process isolation executable or container engine')
            [CompletionResult]::new('--process-isolation-path', '--process-isolation-path', [CompletionResultType]::ParameterName, 'Path that an isolated playbook run will use for staging')
            [CompletionResult]::new('--process-isolation-hide-paths', '--process-isolation-hide-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be hidden from the playbook run')
            [CompletionResult]::new('--process-isolation-show-paths', '--process-isolation-show-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run')
            [CompletionResult]::new('--process-isolation-ro-paths', '--process-isolation-ro-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run as read-only')
            [CompletionResult]::new('--directory-isolation-base-path', '--directory-isolation-base-path', [CompletionResultType]::ParameterName, 'Copy the project into a temporary directory under this path')
            [CompletionResult]::new('--container-image', '--container-image', [CompletionResultType]::ParameterName, 'Container image to use when running an Ansible task')
            [CompletionResult]::new('--container-volume-mount', '--container-volume-mount', [CompletionResultType]::ParameterName, 'Bind mounts (in the form ''host_dir:/container_dir''); may be repeated')
            [CompletionResult]::new('--container-option', '--container-option', [CompletionResultType]::ParameterName, 'Extra options to pass to the container engine; may be repeated')
            [CompletionResult]::new('--logfile', '--logfile', [CompletionResultType]::ParameterName, 'Log output messages to a file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--rotate-artifacts', '--rotate-artifacts', [CompletionResultType]::ParameterName, 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Optional path for the artifact root directory, by default it is located inside the private data dir')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Define the set of hosts to execute against (only with -m or -r)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--limit` parameter to further constrain the inventory to be used')
            [CompletionResult]::new('--cmdline', '--cmdline', [CompletionResultType]::ParameterName, 'Command line options to pass to ansible-playbook at execution time')
            [CompletionResult]::new('--forks', '--forks', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--forks` parameter to set the number of concurrent processes')
            [CompletionResult]::new('--roles-path', '--roles-path', [CompletionResultType]::ParameterName, 'Path used to locate the role to be executed (default: <private_data_dir>/roles)')
            [CompletionResult]::new('--role-vars', '--role-vars', [CompletionResultType]::ParameterName, 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"')
            [CompletionResult]::new('--process-isolation', '--process-isolation', [CompletionResultType]::ParameterName, 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Enable ansible-runner debug output logging')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--omit-event-data', '--omit-event-data', [CompletionResultType]::ParameterName, 'Omit event data from all events')
            [CompletionResult]::new('--only-failed-event-data', '--only-failed-event-data', [CompletionResultType]::ParameterName, 'Only include event data for failed tasks')
            [CompletionResult]::new('--omit-env-files', '--omit-env-files', [CompletionResultType]::ParameterName, 'Do not write the inputs of this run (such as --cmdline) into the private data dir''s env/')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Increase Ansible verbosity')
            [CompletionResult]::new('--role-skip-facts', '--role-skip-facts', [CompletionResultType]::ParameterName, 'Disable fact collection when the role is executed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;transmit' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('--module', '--module', [CompletionResultType]::ParameterName, 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Process isolation executable or container engine')
            [CompletionResult]::new('--process-isolation-path', '--process-isolation-path', [CompletionResultType]::ParameterName, 'Path that an isolated playbook run will use for staging')
            [CompletionResult]::new('--process-isolation-hide-paths', '--process-isolation-hide-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be hidden from the playbook run')
            [CompletionResult]::new('--process-isolation-show-paths', '--process-isolation-show-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run')
            [CompletionResult]::new('--process-isolation-ro-paths', '--process-isolation-ro-paths', [CompletionResultType]::ParameterName, 'List of paths on the system that should be exposed to the playbook run as read-only')
            [CompletionResult]::new('--directory-isolation-base-path', '--directory-isolation-base-path', [CompletionResultType]::ParameterName, 'Copy the project into a temporary directory under this path')
            [CompletionResult]::new('--container-image', '--container-image', [CompletionResultType]::ParameterName, 'Container image to use when running an Ansible task')
            [CompletionResult]::new('--container-volume-mount', '--container-volume-mount', [CompletionResultType]::ParameterName, 'Bind mounts (in the form ''host_dir:/container_dir''); may be repeated')
            [CompletionResult]::new('--container-option', '--container-option', [CompletionResultType]::ParameterName, 'Extra options to pass to the container engine; may be repeated')
            [CompletionResult]::new('--logfile', '--logfile', [CompletionResultType]::ParameterName, 'Log output messages to a file')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The full path to an executable to use instead of ansible or ansible-playbook')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)')
            [CompletionResult]::new('--rotate-artifacts', '--rotate-artifacts', [CompletionResultType]::ParameterName, 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Optional path for the artifact root directory, by default it is located inside the private data dir')
            [CompletionResult]::new('--project-dir', '--project-dir', [CompletionResultType]::ParameterName, 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir')
            [CompletionResult]::new('--inventory', '--inventory', [CompletionResultType]::ParameterName, 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'Module arguments')
            [CompletionResult]::new('--hosts', '--hosts', [CompletionResultType]::ParameterName, 'Define the set of hosts to execute against (only with -m or -r)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--limit` parameter to further constrain the inventory to be used')
            [CompletionResult]::new('--cmdline', '--cmdline', [CompletionResultType]::ParameterName, 'Command line options to pass to ansible-playbook at execution time')
            [CompletionResult]::new('--forks', '--forks', [CompletionResultType]::ParameterName, 'Matches Ansible''s `--forks` parameter to set the number of concurrent processes')
            [CompletionResult]::new('--roles-path', '--roles-path', [CompletionResultType]::ParameterName, 'Path used to locate the role to be executed (default: <private_data_dir>/roles)')
            [CompletionResult]::new('--role-vars', '--role-vars', [CompletionResultType]::ParameterName, 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"')
            [CompletionResult]::new('--process-isolation', '--process-isolation', [CompletionResultType]::ParameterName, 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Enable ansible-runner debug output logging')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Output the JSON event structure to stdout instead of Ansible output')
            [CompletionResult]::new('--omit-event-data', '--omit-event-data', [CompletionResultType]::ParameterName, 'Omit event data from all events')
            [CompletionResult]::new('--only-failed-event-data', '--only-failed-event-data', [CompletionResultType]::ParameterName, 'Only include event data for failed tasks')
            [CompletionResult]::new('--omit-env-files', '--omit-env-files', [CompletionResultType]::ParameterName, 'Do not write the inputs of this run (such as --cmdline) into the private data dir''s env/')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Disable all output')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Increase Ansible verbosity')
            [CompletionResult]::new('--role-skip-facts', '--role-skip-facts', [CompletionResultType]::ParameterName, 'Disable fact collection when the role is executed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;worker' {
            [CompletionResult]::new('--private-data-dir', '--private-data-dir', [CompletionResultType]::ParameterName, 'Base directory containing the ansible-runner metadata (default: a temporary directory)')
            [CompletionResult]::new('--keepalive-seconds', '--keepalive-seconds', [CompletionResultType]::ParameterName, 'Emit a keepalive line after this many seconds without output (0 disables)')
            [CompletionResult]::new('--delete', '--delete', [CompletionResultType]::ParameterName, 'Delete the private data directory before and after the run')
            [CompletionResult]::new('--worker-info', '--worker-info', [CompletionResultType]::ParameterName, 'Show the execution node''s capacity and version information, then exit')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Clean up old private data dirs left by workers, and optionally container images')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ansible-runner;worker;cleanup' {
            [CompletionResult]::new('--file-pattern', '--file-pattern', [CompletionResultType]::ParameterName, 'Glob of private data dirs to delete')
            [CompletionResult]::new('--exclude-strings', '--exclude-strings', [CompletionResultType]::ParameterName, 'Skip any matching path that contains one of these strings')
            [CompletionResult]::new('--grace-period', '--grace-period', [CompletionResultType]::ParameterName, 'Skip directories modified within this many minutes (0 disables)')
            [CompletionResult]::new('--remove-images', '--remove-images', [CompletionResultType]::ParameterName, 'Container images to remove')
            [CompletionResult]::new('--process-isolation-executable', '--process-isolation-executable', [CompletionResultType]::ParameterName, 'Container engine used for image work')
            [CompletionResult]::new('--image-prune', '--image-prune', [CompletionResultType]::ParameterName, 'Prune dangling container images after removing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;worker;help' {
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Clean up old private data dirs left by workers, and optionally container images')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ansible-runner;worker;help;cleanup' {
            break
        }
        'ansible-runner;worker;help;help' {
            break
        }
        'ansible-runner;process' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the artifacts into artifacts/IDENT')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'Write the artifacts into artifacts/IDENT')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the run (a test case per task and host) to this file')
            [CompletionResult]::new('--notify-url', '--notify-url', [CompletionResultType]::ParameterName, 'POST a JSON summary of the run to this URL when it ends (see --notify-on)')
            [CompletionResult]::new('--notify-on', '--notify-on', [CompletionResultType]::ParameterName, 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter''s textfile collector)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing (also accepted before the command, as the Python tool requires)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing (also accepted before the command, as the Python tool requires)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;replay' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The run to show (default: the latest)')
            [CompletionResult]::new('--ident', '--ident', [CompletionResultType]::ParameterName, 'The run to show (default: the latest)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Artifact root, when the run used --artifact-dir')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report of the run to this file')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print events as JSON lines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no events (the summary and --junit still apply)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no events (the summary and --junit still apply)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep following a running job until it ends')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep following a running job until it ends')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;history' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show only the N newest runs (and read no more than those)')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Show only the N newest runs (and read no more than those)')
            [CompletionResult]::new('--artifact-dir', '--artifact-dir', [CompletionResultType]::ParameterName, 'Artifact root, when the runs used --artifact-dir')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Print one JSON object per run instead of a table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per run instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'ansible-runner;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run ansible-runner in the foreground')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start an ansible-runner process in the background')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop an ansible-runner process started with `start`')
            [CompletionResult]::new('is-alive', 'is-alive', [CompletionResultType]::ParameterValue, 'Check if an ansible-runner process started with `start` is running')
            [CompletionResult]::new('transmit', 'transmit', [CompletionResultType]::ParameterValue, 'Send a job template')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Execute work streamed from a controlling instance')
            [CompletionResult]::new('process', 'process', [CompletionResultType]::ParameterValue, 'Receive the output of remote ansible-runner work and distribute the results')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Show a finished or running job again from its artifacts')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the runs kept under artifacts/, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ansible-runner;help;run' {
            break
        }
        'ansible-runner;help;start' {
            break
        }
        'ansible-runner;help;stop' {
            break
        }
        'ansible-runner;help;is-alive' {
            break
        }
        'ansible-runner;help;transmit' {
            break
        }
        'ansible-runner;help;worker' {
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Clean up old private data dirs left by workers, and optionally container images')
            break
        }
        'ansible-runner;help;worker;cleanup' {
            break
        }
        'ansible-runner;help;process' {
            break
        }
        'ansible-runner;help;replay' {
            break
        }
        'ansible-runner;help;history' {
            break
        }
        'ansible-runner;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
