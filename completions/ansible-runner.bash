_ansible__runner() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="ansible__runner"
                ;;
            ansible__runner,help)
                cmd="ansible__runner__subcmd__help"
                ;;
            ansible__runner,history)
                cmd="ansible__runner__subcmd__history"
                ;;
            ansible__runner,is-alive)
                cmd="ansible__runner__subcmd__is__subcmd__alive"
                ;;
            ansible__runner,process)
                cmd="ansible__runner__subcmd__process"
                ;;
            ansible__runner,replay)
                cmd="ansible__runner__subcmd__replay"
                ;;
            ansible__runner,run)
                cmd="ansible__runner__subcmd__run"
                ;;
            ansible__runner,start)
                cmd="ansible__runner__subcmd__start"
                ;;
            ansible__runner,stop)
                cmd="ansible__runner__subcmd__stop"
                ;;
            ansible__runner,transmit)
                cmd="ansible__runner__subcmd__transmit"
                ;;
            ansible__runner,worker)
                cmd="ansible__runner__subcmd__worker"
                ;;
            ansible__runner__subcmd__help,help)
                cmd="ansible__runner__subcmd__help__subcmd__help"
                ;;
            ansible__runner__subcmd__help,history)
                cmd="ansible__runner__subcmd__help__subcmd__history"
                ;;
            ansible__runner__subcmd__help,is-alive)
                cmd="ansible__runner__subcmd__help__subcmd__is__subcmd__alive"
                ;;
            ansible__runner__subcmd__help,process)
                cmd="ansible__runner__subcmd__help__subcmd__process"
                ;;
            ansible__runner__subcmd__help,replay)
                cmd="ansible__runner__subcmd__help__subcmd__replay"
                ;;
            ansible__runner__subcmd__help,run)
                cmd="ansible__runner__subcmd__help__subcmd__run"
                ;;
            ansible__runner__subcmd__help,start)
                cmd="ansible__runner__subcmd__help__subcmd__start"
                ;;
            ansible__runner__subcmd__help,stop)
                cmd="ansible__runner__subcmd__help__subcmd__stop"
                ;;
            ansible__runner__subcmd__help,transmit)
                cmd="ansible__runner__subcmd__help__subcmd__transmit"
                ;;
            ansible__runner__subcmd__help,worker)
                cmd="ansible__runner__subcmd__help__subcmd__worker"
                ;;
            ansible__runner__subcmd__help__subcmd__worker,cleanup)
                cmd="ansible__runner__subcmd__help__subcmd__worker__subcmd__cleanup"
                ;;
            ansible__runner__subcmd__worker,cleanup)
                cmd="ansible__runner__subcmd__worker__subcmd__cleanup"
                ;;
            ansible__runner__subcmd__worker,help)
                cmd="ansible__runner__subcmd__worker__subcmd__help"
                ;;
            ansible__runner__subcmd__worker__subcmd__help,cleanup)
                cmd="ansible__runner__subcmd__worker__subcmd__help__subcmd__cleanup"
                ;;
            ansible__runner__subcmd__worker__subcmd__help,help)
                cmd="ansible__runner__subcmd__worker__subcmd__help__subcmd__help"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        ansible__runner)
            opts="-q -j -h --version --quiet --json --artifact-dir --help run start stop is-alive transmit worker process replay history help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help)
            opts="run start stop is-alive transmit worker process replay history help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__history)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__is__subcmd__alive)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__process)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__replay)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__run)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__start)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__stop)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__transmit)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__worker)
            opts="cleanup"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__help__subcmd__worker__subcmd__cleanup)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__history)
            opts="-n -j -h --last --artifact-dir --json --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --last)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__is__subcmd__alive)
            opts="-p -m -r -b -i -j -q -v -a -h --playbook --module --role --process-isolation --process-isolation-executable --process-isolation-path --process-isolation-hide-paths --process-isolation-show-paths --process-isolation-ro-paths --directory-isolation-base-path --container-image --container-volume-mount --container-option --debug --logfile --binary --ident --rotate-artifacts --artifact-dir --project-dir --inventory --json --omit-event-data --only-failed-event-data --omit-env-files --quiet --args --hosts --limit --cmdline --forks --roles-path --role-vars --role-skip-facts --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --playbook)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --module)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-hide-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-show-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-ro-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --directory-isolation-base-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-image)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-volume-mount)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --logfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --binary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rotate-artifacts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --project-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --args)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -a)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hosts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cmdline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --forks)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --roles-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role-vars)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__process)
            opts="-i -q -j -h --ident --quiet --json --junit --notify-url --notify-on --metrics-file --summary --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --junit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-on)
                    COMPREPLY=($(compgen -W "failure failure-or-skipped always" -- "${cur}"))
                    return 0
                    ;;
                --metrics-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__replay)
            opts="-i -j -q -f -h --ident --artifact-dir --json --quiet --follow --junit --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --junit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__run)
            opts="-p -m -r -b -i -j -q -v -a -h --playbook --module --role --process-isolation --process-isolation-executable --process-isolation-path --process-isolation-hide-paths --process-isolation-show-paths --process-isolation-ro-paths --directory-isolation-base-path --container-image --container-volume-mount --container-option --debug --logfile --binary --ident --rotate-artifacts --artifact-dir --project-dir --inventory --json --omit-event-data --only-failed-event-data --omit-env-files --quiet --args --hosts --limit --cmdline --forks --roles-path --role-vars --role-skip-facts --junit --notify-url --notify-on --metrics-file --summary --lock --lock-wait --daemonized --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --playbook)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --module)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-hide-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-show-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-ro-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --directory-isolation-base-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-image)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-volume-mount)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --logfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --binary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rotate-artifacts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --project-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --args)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -a)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hosts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cmdline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --forks)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --roles-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role-vars)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --junit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-on)
                    COMPREPLY=($(compgen -W "failure failure-or-skipped always" -- "${cur}"))
                    return 0
                    ;;
                --metrics-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --lock-wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --daemonized)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__start)
            opts="-p -m -r -b -i -j -q -v -a -h --playbook --module --role --process-isolation --process-isolation-executable --process-isolation-path --process-isolation-hide-paths --process-isolation-show-paths --process-isolation-ro-paths --directory-isolation-base-path --container-image --container-volume-mount --container-option --debug --logfile --binary --ident --rotate-artifacts --artifact-dir --project-dir --inventory --json --omit-event-data --only-failed-event-data --omit-env-files --quiet --args --hosts --limit --cmdline --forks --roles-path --role-vars --role-skip-facts --junit --notify-url --notify-on --metrics-file --summary --lock --lock-wait --daemonized --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --playbook)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --module)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-hide-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-show-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-ro-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --directory-isolation-base-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-image)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-volume-mount)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --logfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --binary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rotate-artifacts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --project-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --args)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -a)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hosts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cmdline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --forks)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --roles-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role-vars)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --junit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notify-on)
                    COMPREPLY=($(compgen -W "failure failure-or-skipped always" -- "${cur}"))
                    return 0
                    ;;
                --metrics-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --lock-wait)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --daemonized)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__stop)
            opts="-p -m -r -b -i -j -q -v -a -h --playbook --module --role --process-isolation --process-isolation-executable --process-isolation-path --process-isolation-hide-paths --process-isolation-show-paths --process-isolation-ro-paths --directory-isolation-base-path --container-image --container-volume-mount --container-option --debug --logfile --binary --ident --rotate-artifacts --artifact-dir --project-dir --inventory --json --omit-event-data --only-failed-event-data --omit-env-files --quiet --args --hosts --limit --cmdline --forks --roles-path --role-vars --role-skip-facts --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --playbook)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --module)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-hide-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-show-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-ro-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --directory-isolation-base-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-image)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-volume-mount)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --logfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --binary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rotate-artifacts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --project-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --args)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -a)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hosts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cmdline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --forks)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --roles-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role-vars)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__transmit)
            opts="-p -m -r -b -i -j -q -v -a -h --playbook --module --role --process-isolation --process-isolation-executable --process-isolation-path --process-isolation-hide-paths --process-isolation-show-paths --process-isolation-ro-paths --directory-isolation-base-path --container-image --container-volume-mount --container-option --debug --logfile --binary --ident --rotate-artifacts --artifact-dir --project-dir --inventory --json --omit-event-data --only-failed-event-data --omit-env-files --quiet --args --hosts --limit --cmdline --forks --roles-path --role-vars --role-skip-facts --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --playbook)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -p)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --module)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -m)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-hide-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-show-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-ro-paths)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --directory-isolation-base-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-image)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-volume-mount)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --container-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --logfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --binary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -b)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ident)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rotate-artifacts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --artifact-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --project-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --args)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -a)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hosts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cmdline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --forks)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --roles-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role-vars)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__worker)
            opts="-h --private-data-dir --delete --keepalive-seconds --worker-info --help cleanup help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --private-data-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --keepalive-seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__worker__subcmd__cleanup)
            opts="-h --file-pattern --exclude-strings --grace-period --remove-images --image-prune --process-isolation-executable --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --file-pattern)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --exclude-strings)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --grace-period)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --remove-images)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --process-isolation-executable)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__worker__subcmd__help)
            opts="cleanup help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__worker__subcmd__help__subcmd__cleanup)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        ansible__runner__subcmd__worker__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _ansible__runner -o nosort -o bashdefault -o default ansible-runner
else
    complete -F _ansible__runner -o bashdefault -o default ansible-runner
fi
