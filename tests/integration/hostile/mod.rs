//! Input written to hurt: requests on the `api` pipe, values and files given to the command line,
//! transmit streams, and what an isolated job does to its own artifact dir. Each is refused in one
//! line before anything runs, or the job ends without the runner acting outside its own private
//! data dir.

mod api_requests;
mod input;
mod isolated_jobs;
mod streams;
