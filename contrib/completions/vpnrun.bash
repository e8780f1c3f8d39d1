# bash completion for vpnrun(1)                            -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/vpnrun; needs the
# bash-completion package. Keep the lists in step with `vpnrun --help`
# (tests/completion/bash checks them).

# Namespace names: those that exist (/run/netns) and those configured
# (/etc/vpnrun/NAME.toml; vpnrun.toml is vpnrun's own settings, not a name).
_vpnrun_namespaces()
{
    local f names=()
    for f in /run/netns/* /etc/vpnrun/*.toml; do
        [[ -e $f ]] || continue
        f=${f##*/}
        f=${f%.toml}
        [[ $f == vpnrun ]] || names+=("$f")
    done
    COMPREPLY=($(compgen -W '${names[*]}' -- "$cur"))
}

# Programs: vpnrun runs them with execvp(3), so shell builtins, keywords,
# aliases and functions are not offered unless a program has the same name.
_vpnrun_programs()
{
    if [[ $cur == */* ]]; then
        _filedir
        return
    fi
    local w shell_only=" $(compgen -b -k -a -A function -- "$cur" | tr '\n' ' ') "
    for w in $(compgen -c -- "$cur"); do
        [[ $shell_only == *" $w "* ]] && ! type -P -- "$w" >/dev/null && continue
        COMPREPLY+=("$w")
    done
}

_vpnrun()
{
    local cur prev words cword split
    _init_completion -s || return

    local commands='up down status list doctor gc'
    local launcher_opts='-n --netns --preserve-fds -q --quiet --'

    # The first word that is not one of vpnrun's launcher options is a command
    # or the program. Walk COMP_WORDS, not words: _command_offset counts in
    # COMP_WORDS, where `--netns=NAME` is three words.
    local i=1 dashdash=false
    while ((i < COMP_CWORD)); do
        case ${COMP_WORDS[i]} in
            -n | --netns | --preserve-fds)
                if [[ ${COMP_WORDS[i + 1]-} == = ]]; then ((i += 3)); else ((i += 2)); fi
                ;;
            --)
                dashdash=true
                ((i++))
                break
                ;;
            -*) ((i++)) ;;
            *) break ;;
        esac
    done

    if ((i < COMP_CWORD)); then
        local first=${COMP_WORDS[i]}
        if ! $dashdash && [[ " $commands " == *" $first "* ]]; then
            _vpnrun_command "$first" "$i"
        else
            # The program's own completion, as if it were typed alone.
            _command_offset "$i"
        fi
        return
    fi

    case $prev in
        -n | --netns)
            _vpnrun_namespaces
            return
            ;;
        --preserve-fds)
            return
            ;;
    esac
    $split && return

    if $dashdash; then
        _vpnrun_programs
    elif [[ $cur == -* ]]; then
        local opts=$launcher_opts
        ((cword == 1)) && opts+=' -h --help -V --version'
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        # A command, or a program to run.
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        _vpnrun_programs
    fi
}

# After `vpnrun COMMAND`: its options and its NAME.
_vpnrun_command()
{
    local command=$1 at=$2 opts='-h --help' takes_name=true
    case $command in
        up) opts+=' -q --quiet -w --wait' ;;
        down) opts+=' -q --quiet' ;;
        status) opts+=' --json' ;;
        doctor) ;;
        list) takes_name=false ;;
        gc) opts+=' -q --quiet' takes_name=false ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # One NAME at most: none once a word that is not an option follows COMMAND.
    local j
    for ((j = at + 1; j < COMP_CWORD; j++)); do
        [[ ${COMP_WORDS[j]} == -* ]] || return
    done
    $takes_name && _vpnrun_namespaces
}

complete -F _vpnrun vpnrun

# ex: filetype=sh
