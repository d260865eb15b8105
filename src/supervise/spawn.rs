//! Starting the child: its own session, tied to the runner's life, its output on one pipe or, when
//! prompts must be answered, on a pseudo-terminal.

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use nix::sys::signal::Signal;
use nix::unistd::Pid;

use crate::job::command_line::CommandLine;
use crate::request::ChildStdio;

/// A started child and the runner's ends of its stdio.
pub struct Spawned {
    pub child: Child,
    /// Everything the child writes to stdout and stderr.
    pub output: File,
    /// Where answers to prompts are typed: the terminal, when the child has one.
    pub answers: Option<File>,
}

/// Starts `program` as `line` says, on a pseudo-terminal when `on_terminal`; otherwise `given`
/// descriptors replace the pipe (and stdin's `/dev/null`) where the caller passed them.
pub fn spawn(line: &CommandLine, program: &Path, on_terminal: bool, given: ChildStdio) -> io::Result<Spawned> {
    let mut command = Command::new(program);
    command.arg0(line.program()).args(&line.command[1..]).current_dir(&line.cwd).env_clear().envs(&line.env);
    let (output, answers) = if on_terminal {
        let master = attach_pty(&mut command)?;
        own_session(&mut command, true);
        let answers = File::from(master.try_clone()?);
        (File::from(master), Some(answers))
    } else {
        // Close-on-exec: neither the job nor a process started meanwhile holds the pipe open (the
        // child's stdout and stderr are copies made for it).
        let (read_end, write_end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from)?;
        let stdin = given.stdin.map(duplicate).transpose()?.map_or_else(Stdio::null, Stdio::from);
        let stdout = match given.stdout {
            Some(fd) => duplicate(fd)?,
            None => write_end.try_clone()?,
        };
        let stderr = match given.stderr {
            Some(fd) => duplicate(fd)?,
            None => write_end,
        };
        command.stdin(stdin).stdout(Stdio::from(stdout)).stderr(Stdio::from(stderr));
        own_session(&mut command, false);
        (File::from(read_end), None)
    };
    let child = command.spawn()?;
    // Closes the runner's copies of the child's ends, so the output reports end-of-file.
    drop(command);
    Ok(Spawned { child, output, answers })
}

/// A copy of a descriptor the runner holds for the job (checked open when the request came).
fn duplicate(fd: i32) -> io::Result<OwnedFd> {
    // SAFETY: the caller's descriptors stay open in the runner for the whole job; this only
    // borrows one long enough to duplicate it.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()
}

/// Gives the child a new pseudo-terminal (80 columns, echo off, as the Python tool's pexpect does)
/// as its controlling terminal and stdio. Returns the master side.
fn attach_pty(command: &mut Command) -> io::Result<OwnedFd> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    let size = nix::pty::Winsize { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 };
    // The child inherits this master descriptor on purpose (openpty leaves it inheritable): were
    // the runner's the only one, the runner's death would hang the terminal up, and the hang-up's
    // SIGHUP kills ansible-playbook before its parent-death SIGTERM lets it stop its workers.
    let pty = nix::pty::openpty(&size, None).map_err(io::Error::from)?;
    let mut termios = tcgetattr(&pty.slave).map_err(io::Error::from)?;
    termios.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &termios).map_err(io::Error::from)?;
    command
        .stdin(Stdio::from(pty.slave.try_clone()?))
        .stdout(Stdio::from(pty.slave.try_clone()?))
        .stderr(Stdio::from(pty.slave));
    Ok(pty.master)
}

/// Starts the child in a session of its own (with its standard input as controlling terminal when
/// `with_tty`), and has it sent SIGTERM if the runner dies, even by SIGKILL: Ansible answers
/// SIGTERM by passing it to its workers, which end their own process groups, so the whole job
/// ends with its runner. (SIGKILL would leave those workers running.)
///
/// The parent-death signal follows the thread that forked: jobs are started from the main thread,
/// which lives as long as the runner.
///
/// SIGINT goes back to its default: a runner started in the background of a script (`&`) has it
/// ignored, the job would inherit that, and a cancel's interrupt would be lost on it.
pub fn own_session(command: &mut Command, with_tty: bool) {
    let runner = Pid::this();
    // SAFETY: setsid, ioctl, prctl, sigaction and getppid are async-signal-safe and touch no memory
    // of the parent.
    unsafe {
        command.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            nix::sys::signal::signal(Signal::SIGINT, nix::sys::signal::SigHandler::SigDfl).map_err(io::Error::from)?;
            if with_tty && nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(io::Error::from)?;
            if nix::unistd::getppid() != runner {
                // The runner died before the signal was armed.
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            Ok(())
        });
    }
}
