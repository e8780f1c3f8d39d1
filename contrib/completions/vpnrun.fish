# fish completion for vpnrun(1). Installed as
# /usr/share/fish/vendor_completions.d/vpnrun.fish. Keep the lists in step with
# `vpnrun --help` (tests/completion/fish checks them).

# Namespace names: those that exist (/run/netns) and those configured
# (/etc/vpnrun/NAME.toml; vpnrun.toml is vpnrun's own settings, not a name).
function __vpnrun_namespaces
    for f in /run/netns/* /etc/vpnrun/*.toml
        string replace -r '^.*/' '' -- $f | string replace -r '\.toml$' ''
    end | string match -v -- vpnrun | sort -u
end

# Where the cursor is, from the words before it:
#   first          the command or program comes next
#   program-name   a program comes next (after `--`)
#   command NAME   after vpnrun's command NAME; then how many words follow it
#   program I      after a program, the I-th word
function __vpnrun_where
    set -l words (commandline -opc)
    set -l i 2
    set -l dashdash 0
    while test $i -le (count $words)
        switch $words[$i]
            case -n --netns --preserve-fds
                set i (math $i + 2)
            case --
                set dashdash 1
                set i (math $i + 1)
                break
            case '-*'
                set i (math $i + 1)
            case '*'
                break
        end
    end
    if test $i -gt (count $words)
        test $dashdash = 1; and echo program-name; or echo first
    else if test $dashdash = 0; and contains -- $words[$i] up down status list doctor gc
        echo command $words[$i] (math (count $words) - $i)
    else
        echo program $i
    end
end

# __vpnrun_is WORD...: the place starts with these words.
function __vpnrun_is
    set -l where (__vpnrun_where)
    string match -q -- "$argv" $where; or string match -q -- "$argv *" $where
end

# The program's own completion, as if it were typed alone.
function __vpnrun_complete_program
    set -l at (string split ' ' -- (__vpnrun_where))[2]
    set -l words (commandline -opc)
    set words $words[$at..-1]
    complete --do-complete=(string join ' ' -- (string escape -- $words) (commandline -ct))
end

# Programs: vpnrun runs them with execvp(3), so fish builtins and functions
# are not offered unless a program has the same name.
function __vpnrun_programs
    for c in (__fish_complete_command)
        command -q -- (string split -f1 \t -- $c); and echo $c
    end
end

complete -c vpnrun -f

# The first word: launcher options, a command, or a program.
complete -c vpnrun -n '__vpnrun_is first' -s h -l help -d 'Print help and exit'
complete -c vpnrun -n '__vpnrun_is first' -s V -l version -d 'Print the version and exit'
complete -c vpnrun -n '__vpnrun_is first' -s n -l netns -x -a '(__vpnrun_namespaces)' -d 'Run the program in this namespace'
complete -c vpnrun -n '__vpnrun_is first' -l preserve-fds -x -d 'Pass fds 3 .. 3+N-1 to the program'
complete -c vpnrun -n '__vpnrun_is first' -s q -l quiet -d 'Print no warnings'
complete -c vpnrun -n '__vpnrun_is first' -a up -d 'Build the VPN namespace NAME (root)'
complete -c vpnrun -n '__vpnrun_is first' -a down -d 'Remove the VPN namespace NAME (root)'
complete -c vpnrun -n '__vpnrun_is first' -a status -d 'Show the health of VPN namespaces (root)'
complete -c vpnrun -n '__vpnrun_is first' -a list -d 'List known VPN namespaces'
complete -c vpnrun -n '__vpnrun_is first' -a doctor -d 'Check what would stop a VPN namespace from working (root)'
complete -c vpnrun -n '__vpnrun_is first' -a gc -d 'Release addresses of containers that are gone (root)'
complete -c vpnrun -n '__vpnrun_is first; or __vpnrun_is program-name' -a '(__vpnrun_programs)'

# After a command.
complete -c vpnrun -n '__vpnrun_is command' -s h -l help -d 'Print help and exit'
complete -c vpnrun -n '__vpnrun_is command up; or __vpnrun_is command down; or __vpnrun_is command gc' -s q -l quiet -d 'Print nothing on success'
complete -c vpnrun -n '__vpnrun_is command up' -s w -l wait -x -d 'Seconds to wait for the tunnel'
complete -c vpnrun -n '__vpnrun_is command status' -l json -d 'Print JSON'
complete -c vpnrun -n '__vpnrun_is command up 0; or __vpnrun_is command down 0; or __vpnrun_is command status 0; or __vpnrun_is command doctor 0' -a '(__vpnrun_namespaces)'

# After a program: its own completion.
complete -c vpnrun -n '__vpnrun_is program' -a '(__vpnrun_complete_program)'
