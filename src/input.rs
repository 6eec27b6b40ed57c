//! Bounded file reading, for every file dcsim reads: a scenario and its
//! bases, the hourly CSVs and traces it names, and the files of finished
//! runs read back (summaries, series, a shard's manifest). Only regular
//! files, and no more than a stated size, so a path such as `/dev/zero`,
//! `/dev/urandom` or a named pipe fails at once instead of reading forever
//! or exhausting memory; read-back never follows a link.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Largest magnitude accepted for any number, in the unit of its key or
/// column (scenario files and the traces they name): far beyond any real
/// figure, small enough that unit conversions and sums over a whole
/// scenario stay finite.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// Largest scenario file accepted \[bytes\]: 32 MiB. Hand-written scenarios
/// are a few kB; a generated one — 500 sites in a full mesh, 124,750 links —
/// is about 9 MB.
pub const MAX_SCENARIO_BYTES: u64 = 32 * 1024 * 1024;
/// Largest hourly CSV accepted \[bytes\]: 256 MiB, several centuries of hourly
/// rows.
pub const MAX_CSV_BYTES: u64 = 256 * 1024 * 1024;

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The system could not open or read it.
    #[error("{0}{hint}", hint = io_hint(.0))]
    Io(#[source] io::Error),
    /// It is not a regular file.
    #[error("it is {0}, not a regular file; give the path of a file")]
    NotRegular(&'static str),
    /// It is larger than the limit.
    #[error("it is larger than the {} MiB allowed ({} bytes or more){}", limit / (1024 * 1024), size, what)]
    TooLarge {
        /// The limit \[bytes\].
        limit: u64,
        /// Its size, or how much was read before stopping \[bytes\].
        size: u64,
        /// What the limit is for.
        what: &'static str,
    },
}

fn io_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotFound => "; check the path",
        io::ErrorKind::PermissionDenied => "; check the file's permissions",
        _ => "",
    }
}

/// The metadata of an opened handle (`fstat`), refused unless it is a
/// regular file of at most `limit` bytes: what is checked is what is read.
fn checked_handle(
    file: &File,
    limit: u64,
    what: &'static str,
) -> Result<std::fs::Metadata, InputError> {
    let meta = file.metadata().map_err(InputError::Io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular(kind(&meta)));
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            limit,
            size: meta.len(),
            what,
        });
    }
    Ok(meta)
}

/// Reads a regular file of at most `limit` bytes. The file is opened
/// without blocking (a named pipe without a writer does not hang), then its
/// type is checked on the opened handle, so what is checked is what is read.
pub fn read_regular_file(
    path: &Path,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>, InputError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file: File = options.open(path).map_err(InputError::Io)?;
    let meta = checked_handle(&file, limit, what)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(InputError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            limit,
            size: bytes.len() as u64,
            what,
        });
    }
    Ok(bytes)
}

/// Opens a file dcsim reads back from a folder it wrote (a run's, a
/// sweep's, a shard's): a regular file, opened without following a link
/// (`O_NOFOLLOW`: a link at `path` is refused, not read), without blocking
/// (a named pipe does not hang), its type and size checked on the opened
/// handle (`fstat`), of at most `limit` bytes. Returns the file and its
/// size; callers read at most that size (`Read::take`), so a file that
/// grows while read is not read without end.
pub fn open_read_back(
    path: &Path,
    limit: u64,
    what: &'static str,
) -> Result<(File, u64), InputError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let file: File = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return InputError::NotRegular("a symbolic link");
        }
        InputError::Io(e)
    })?;
    let meta = checked_handle(&file, limit, what)?;
    Ok((file, meta.len()))
}

/// Reads a file dcsim reads back whole (see [`open_read_back`]): a regular
/// file, never through a link, of at most `limit` bytes.
pub fn read_back(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, InputError> {
    let (file, size) = open_read_back(path, limit, what)?;
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(size)
        .read_to_end(&mut bytes)
        .map_err(InputError::Io)?;
    Ok(bytes)
}

/// Whether `path` is a real folder (not a link to one): `Ok(true)`, absent:
/// `Ok(false)`, anything else: what it is, e.g. "a symbolic link".
pub fn real_folder(path: &Path) -> Result<bool, &'static str> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err("a symbolic link"),
        Ok(m) if m.is_dir() => Ok(true),
        Ok(m) => Err(kind(&m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(_) => Err("a folder that cannot be examined"),
    }
}

/// "a folder", "a character device", … for a file that is not regular.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_file() {
        return "a regular file";
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_folders_and_large_files_are_refused() {
        let e = read_regular_file(Path::new("/dev/zero"), 100, "").unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular_file(dir.path(), 100, "").unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, [b'x'; 101]).unwrap();
        let e = read_regular_file(&big, 100, "").unwrap_err();
        assert!(matches!(e, InputError::TooLarge { size: 101, .. }), "{e}");
        std::fs::write(&big, [b'x'; 100]).unwrap();
        assert_eq!(read_regular_file(&big, 100, "").unwrap().len(), 100);
    }

    #[test]
    fn read_backs_refuse_links_devices_pipes_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::write(&real, b"abc").unwrap();
        assert_eq!(read_back(&real, 3, "").unwrap(), b"abc");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = read_back(&link, 100, "").unwrap_err();
        assert!(e.to_string().contains("a symbolic link"), "{e}");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_back(&zero, 100, "").unwrap_err();
        assert!(e.to_string().contains("a symbolic link"), "{e}");
        let e = read_back(Path::new("/dev/zero"), 100, "").unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_back(&fifo, 100, "").unwrap_err();
        assert!(e.to_string().contains("a named pipe"), "{e}");
        let e = read_back(&real, 2, "").unwrap_err();
        assert!(matches!(e, InputError::TooLarge { size: 3, .. }), "{e}");
        assert_eq!(real_folder(dir.path()), Ok(true));
        assert_eq!(real_folder(&dir.path().join("none")), Ok(false));
        std::os::unix::fs::symlink(dir.path(), dir.path().join("dl")).unwrap();
        assert_eq!(real_folder(&dir.path().join("dl")), Err("a symbolic link"));
        assert_eq!(real_folder(&real), Err("a regular file"));
    }
}
