# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ansible_runner_global_optspecs
    string join \n version q/quiet j/json artifact-dir= h/help
end

function __fish_ansible_runner_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ansible_runner_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ansible_runner_using_subcommand
    set -l cmd (__fish_ansible_runner_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -l artifact-dir -d 'Artifact directory (for `process`)' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -l version -d 'Print the version and exit'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -s q -l quiet -d 'Suppress Ansible output (for `process`)'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -s j -l json -d 'Print events as JSON lines (for `process`)'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "run" -d 'Run ansible-runner in the foreground'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "start" -d 'Start an ansible-runner process in the background'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "stop" -d 'Stop an ansible-runner process started with `start`'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "is-alive" -d 'Check if an ansible-runner process started with `start` is running'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "transmit" -d 'Send a job template'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "worker" -d 'Execute work streamed from a controlling instance'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "process" -d 'Receive the output of remote ansible-runner work and distribute the results'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "replay" -d 'Show a finished or running job again from its artifacts'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "history" -d 'List the runs kept under artifacts/, newest first'
complete -c ansible-runner -n "__fish_ansible_runner_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s p -l playbook -d 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s m -l module -d 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s r -l role -d 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation-executable -d 'Process isolation executable or container engine' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation-path -d 'Path that an isolated playbook run will use for staging' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation-hide-paths -d 'List of paths on the system that should be hidden from the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation-show-paths -d 'List of paths on the system that should be exposed to the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation-ro-paths -d 'List of paths on the system that should be exposed to the playbook run as read-only' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l directory-isolation-base-path -d 'Copy the project into a temporary directory under this path' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l container-image -d 'Container image to use when running an Ansible task' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l container-volume-mount -d 'Bind mounts (in the form \'host_dir:/container_dir\'); may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l container-option -d 'Extra options to pass to the container engine; may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l logfile -d 'Log output messages to a file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s b -l binary -d 'The full path to an executable to use instead of ansible or ansible-playbook' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s i -l ident -d 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l rotate-artifacts -d 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l artifact-dir -d 'Optional path for the artifact root directory, by default it is located inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l project-dir -d 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l inventory -d 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s a -l args -d 'Module arguments' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l hosts -d 'Define the set of hosts to execute against (only with -m or -r)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l limit -d 'Matches Ansible\'s `--limit` parameter to further constrain the inventory to be used' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l cmdline -d 'Command line options to pass to ansible-playbook at execution time' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l forks -d 'Matches Ansible\'s `--forks` parameter to set the number of concurrent processes' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l roles-path -d 'Path used to locate the role to be executed (default: <private_data_dir>/roles)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l role-vars -d 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l junit -d 'Write a JUnit XML report of the run (a test case per task and host) to this file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l notify-url -d 'POST a JSON summary of the run to this URL when it ends (see --notify-on)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l notify-on -d 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always' -r -f -a "failure\t''
failure-or-skipped\t''
always\t''"
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l metrics-file -d 'Write the run\'s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter\'s textfile collector)' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l lock-wait -d 'With --lock: wait up to this many seconds for the lock instead of exiting' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l daemonized -d 'Set by `start` on the detached process it launches, with the canonical private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l process-isolation -d 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l debug -d 'Enable ansible-runner debug output logging'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s j -l json -d 'Output the JSON event structure to stdout instead of Ansible output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l omit-event-data -d 'Omit event data from all events'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l only-failed-event-data -d 'Only include event data for failed tasks'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l omit-env-files -d 'Do not write the inputs of this run (such as --cmdline) into the private data dir\'s env/'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s q -l quiet -d 'Disable all output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s v -d 'Increase Ansible verbosity'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l role-skip-facts -d 'Disable fact collection when the role is executed'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l summary -d 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -l lock -d 'Take an exclusive lock on the private data dir; exit 75 at once if another run holds it'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand run" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s p -l playbook -d 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s m -l module -d 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s r -l role -d 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation-executable -d 'Process isolation executable or container engine' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation-path -d 'Path that an isolated playbook run will use for staging' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation-hide-paths -d 'List of paths on the system that should be hidden from the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation-show-paths -d 'List of paths on the system that should be exposed to the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation-ro-paths -d 'List of paths on the system that should be exposed to the playbook run as read-only' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l directory-isolation-base-path -d 'Copy the project into a temporary directory under this path' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l container-image -d 'Container image to use when running an Ansible task' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l container-volume-mount -d 'Bind mounts (in the form \'host_dir:/container_dir\'); may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l container-option -d 'Extra options to pass to the container engine; may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l logfile -d 'Log output messages to a file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s b -l binary -d 'The full path to an executable to use instead of ansible or ansible-playbook' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s i -l ident -d 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l rotate-artifacts -d 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l artifact-dir -d 'Optional path for the artifact root directory, by default it is located inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l project-dir -d 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l inventory -d 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s a -l args -d 'Module arguments' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l hosts -d 'Define the set of hosts to execute against (only with -m or -r)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l limit -d 'Matches Ansible\'s `--limit` parameter to further constrain the inventory to be used' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l cmdline -d 'Command line options to pass to ansible-playbook at execution time' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l forks -d 'Matches Ansible\'s `--forks` parameter to set the number of concurrent processes' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l roles-path -d 'Path used to locate the role to be executed (default: <private_data_dir>/roles)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l role-vars -d 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l junit -d 'Write a JUnit XML report of the run (a test case per task and host) to this file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l notify-url -d 'POST a JSON summary of the run to this URL when it ends (see --notify-on)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l notify-on -d 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always' -r -f -a "failure\t''
failure-or-skipped\t''
always\t''"
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l metrics-file -d 'Write the run\'s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter\'s textfile collector)' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l lock-wait -d 'With --lock: wait up to this many seconds for the lock instead of exiting' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l daemonized -d 'Set by `start` on the detached process it launches, with the canonical private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l process-isolation -d 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l debug -d 'Enable ansible-runner debug output logging'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s j -l json -d 'Output the JSON event structure to stdout instead of Ansible output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l omit-event-data -d 'Omit event data from all events'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l only-failed-event-data -d 'Only include event data for failed tasks'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l omit-env-files -d 'Do not write the inputs of this run (such as --cmdline) into the private data dir\'s env/'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s q -l quiet -d 'Disable all output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s v -d 'Increase Ansible verbosity'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l role-skip-facts -d 'Disable fact collection when the role is executed'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l summary -d 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -l lock -d 'Take an exclusive lock on the private data dir; exit 75 at once if another run holds it'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand start" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s p -l playbook -d 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s m -l module -d 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s r -l role -d 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation-executable -d 'Process isolation executable or container engine' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation-path -d 'Path that an isolated playbook run will use for staging' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation-hide-paths -d 'List of paths on the system that should be hidden from the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation-show-paths -d 'List of paths on the system that should be exposed to the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation-ro-paths -d 'List of paths on the system that should be exposed to the playbook run as read-only' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l directory-isolation-base-path -d 'Copy the project into a temporary directory under this path' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l container-image -d 'Container image to use when running an Ansible task' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l container-volume-mount -d 'Bind mounts (in the form \'host_dir:/container_dir\'); may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l container-option -d 'Extra options to pass to the container engine; may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l logfile -d 'Log output messages to a file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s b -l binary -d 'The full path to an executable to use instead of ansible or ansible-playbook' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s i -l ident -d 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l rotate-artifacts -d 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l artifact-dir -d 'Optional path for the artifact root directory, by default it is located inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l project-dir -d 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l inventory -d 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s a -l args -d 'Module arguments' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l hosts -d 'Define the set of hosts to execute against (only with -m or -r)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l limit -d 'Matches Ansible\'s `--limit` parameter to further constrain the inventory to be used' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l cmdline -d 'Command line options to pass to ansible-playbook at execution time' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l forks -d 'Matches Ansible\'s `--forks` parameter to set the number of concurrent processes' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l roles-path -d 'Path used to locate the role to be executed (default: <private_data_dir>/roles)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l role-vars -d 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l process-isolation -d 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l debug -d 'Enable ansible-runner debug output logging'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s j -l json -d 'Output the JSON event structure to stdout instead of Ansible output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l omit-event-data -d 'Omit event data from all events'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l only-failed-event-data -d 'Only include event data for failed tasks'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l omit-env-files -d 'Do not write the inputs of this run (such as --cmdline) into the private data dir\'s env/'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s q -l quiet -d 'Disable all output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s v -d 'Increase Ansible verbosity'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -l role-skip-facts -d 'Disable fact collection when the role is executed'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand stop" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s p -l playbook -d 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s m -l module -d 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s r -l role -d 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation-executable -d 'Process isolation executable or container engine' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation-path -d 'Path that an isolated playbook run will use for staging' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation-hide-paths -d 'List of paths on the system that should be hidden from the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation-show-paths -d 'List of paths on the system that should be exposed to the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation-ro-paths -d 'List of paths on the system that should be exposed to the playbook run as read-only' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l directory-isolation-base-path -d 'Copy the project into a temporary directory under this path' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l container-image -d 'Container image to use when running an Ansible task' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l container-volume-mount -d 'Bind mounts (in the form \'host_dir:/container_dir\'); may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l container-option -d 'Extra options to pass to the container engine; may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l logfile -d 'Log output messages to a file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s b -l binary -d 'The full path to an executable to use instead of ansible or ansible-playbook' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s i -l ident -d 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l rotate-artifacts -d 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l artifact-dir -d 'Optional path for the artifact root directory, by default it is located inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l project-dir -d 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l inventory -d 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s a -l args -d 'Module arguments' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l hosts -d 'Define the set of hosts to execute against (only with -m or -r)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l limit -d 'Matches Ansible\'s `--limit` parameter to further constrain the inventory to be used' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l cmdline -d 'Command line options to pass to ansible-playbook at execution time' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l forks -d 'Matches Ansible\'s `--forks` parameter to set the number of concurrent processes' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l roles-path -d 'Path used to locate the role to be executed (default: <private_data_dir>/roles)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l role-vars -d 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l process-isolation -d 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l debug -d 'Enable ansible-runner debug output logging'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s j -l json -d 'Output the JSON event structure to stdout instead of Ansible output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l omit-event-data -d 'Omit event data from all events'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l only-failed-event-data -d 'Only include event data for failed tasks'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l omit-env-files -d 'Do not write the inputs of this run (such as --cmdline) into the private data dir\'s env/'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s q -l quiet -d 'Disable all output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s v -d 'Increase Ansible verbosity'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -l role-skip-facts -d 'Disable fact collection when the role is executed'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand is-alive" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s p -l playbook -d 'Invoke an Ansible playbook from the ansible-runner project (See Ansible Playbook Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s m -l module -d 'Invoke an Ansible module directly without a playbook (See Ansible Module Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s r -l role -d 'Invoke an Ansible role directly without a playbook (See Ansible Role Options below)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation-executable -d 'Process isolation executable or container engine' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation-path -d 'Path that an isolated playbook run will use for staging' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation-hide-paths -d 'List of paths on the system that should be hidden from the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation-show-paths -d 'List of paths on the system that should be exposed to the playbook run' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation-ro-paths -d 'List of paths on the system that should be exposed to the playbook run as read-only' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l directory-isolation-base-path -d 'Copy the project into a temporary directory under this path' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l container-image -d 'Container image to use when running an Ansible task' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l container-volume-mount -d 'Bind mounts (in the form \'host_dir:/container_dir\'); may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l container-option -d 'Extra options to pass to the container engine; may be repeated' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l logfile -d 'Log output messages to a file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s b -l binary -d 'The full path to an executable to use instead of ansible or ansible-playbook' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s i -l ident -d 'An identifier that will be used when generating the artifacts directory and can be used to uniquely identify a playbook run (default: a new uuid)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l rotate-artifacts -d 'Automatically clean up old artifact directories after a given number have been created (default: 0, which disables rotation)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l artifact-dir -d 'Optional path for the artifact root directory, by default it is located inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l project-dir -d 'Optional path for the location of the playbook content directory, by default this is `project` inside the private data dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l inventory -d 'Optional path for the location of the inventory content directory, by default this is `inventory` inside the private data dir' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s a -l args -d 'Module arguments' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l hosts -d 'Define the set of hosts to execute against (only with -m or -r)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l limit -d 'Matches Ansible\'s `--limit` parameter to further constrain the inventory to be used' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l cmdline -d 'Command line options to pass to ansible-playbook at execution time' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l forks -d 'Matches Ansible\'s `--forks` parameter to set the number of concurrent processes' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l roles-path -d 'Path used to locate the role to be executed (default: <private_data_dir>/roles)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l role-vars -d 'Variables to pass to the role at runtime, as "key1=value1 key2=value2"' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l process-isolation -d 'Run the job in a container (podman, docker: see --container-image) or a bubblewrap sandbox'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l debug -d 'Enable ansible-runner debug output logging'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s j -l json -d 'Output the JSON event structure to stdout instead of Ansible output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l omit-event-data -d 'Omit event data from all events'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l only-failed-event-data -d 'Only include event data for failed tasks'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l omit-env-files -d 'Do not write the inputs of this run (such as --cmdline) into the private data dir\'s env/'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s q -l quiet -d 'Disable all output'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s v -d 'Increase Ansible verbosity'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -l role-skip-facts -d 'Disable fact collection when the role is executed'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand transmit" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -l private-data-dir -d 'Base directory containing the ansible-runner metadata (default: a temporary directory)' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -l keepalive-seconds -d 'Emit a keepalive line after this many seconds without output (0 disables)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -l delete -d 'Delete the private data directory before and after the run'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -l worker-info -d 'Show the execution node\'s capacity and version information, then exit'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -f -a "cleanup" -d 'Clean up old private data dirs left by workers, and optionally container images'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and not __fish_seen_subcommand_from cleanup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l file-pattern -d 'Glob of private data dirs to delete' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l exclude-strings -d 'Skip any matching path that contains one of these strings' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l grace-period -d 'Skip directories modified within this many minutes (0 disables)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l remove-images -d 'Container images to remove' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l process-isolation-executable -d 'Container engine used for image work' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -l image-prune -d 'Prune dangling container images after removing'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from cleanup" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from help" -f -a "cleanup" -d 'Clean up old private data dirs left by workers, and optionally container images'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand worker; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -s i -l ident -d 'Write the artifacts into artifacts/IDENT' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -l junit -d 'Write a JUnit XML report of the run (a test case per task and host) to this file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -l notify-url -d 'POST a JSON summary of the run to this URL when it ends (see --notify-on)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -l notify-on -d 'When to send the summary: on failure (failed, timeout, canceled, not started), on failure or a run skipped by --lock, or always' -r -f -a "failure\t''
failure-or-skipped\t''
always\t''"
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -l metrics-file -d 'Write the run\'s status, rc, times and host counts to this file when it ends, in the Prometheus text format (for node_exporter\'s textfile collector)' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -s q -l quiet -d 'Print nothing (also accepted before the command, as the Python tool requires)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -s j -l json -d 'Print events as JSON lines'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -l summary -d 'Print the closing summary line on stderr even when stderr is not a terminal (for CI logs)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand process" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -s i -l ident -d 'The run to show (default: the latest)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -l artifact-dir -d 'Artifact root, when the run used --artifact-dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -l junit -d 'Write a JUnit XML report of the run to this file' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -s j -l json -d 'Print events as JSON lines'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -s q -l quiet -d 'Print no events (the summary and --junit still apply)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -s f -l follow -d 'Keep following a running job until it ends'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand replay" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand history" -s n -l last -d 'Show only the N newest runs (and read no more than those)' -r
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand history" -l artifact-dir -d 'Artifact root, when the runs used --artifact-dir' -r -F
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand history" -s j -l json -d 'Print one JSON object per run instead of a table'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand history" -s h -l help -d 'Print help'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "run" -d 'Run ansible-runner in the foreground'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "start" -d 'Start an ansible-runner process in the background'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "stop" -d 'Stop an ansible-runner process started with `start`'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "is-alive" -d 'Check if an ansible-runner process started with `start` is running'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "transmit" -d 'Send a job template'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "worker" -d 'Execute work streamed from a controlling instance'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "process" -d 'Receive the output of remote ansible-runner work and distribute the results'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "replay" -d 'Show a finished or running job again from its artifacts'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "history" -d 'List the runs kept under artifacts/, newest first'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and not __fish_seen_subcommand_from run start stop is-alive transmit worker process replay history help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ansible-runner -n "__fish_ansible_runner_using_subcommand help; and __fish_seen_subcommand_from worker" -f -a "cleanup" -d 'Clean up old private data dirs left by workers, and optionally container images'
