//! Private files: the database, its WAL and shared-memory files, backups and their
//! directories are readable by their owner only, whatever the umask. SQLite creates the WAL
//! and shared-memory files with the database file's own permissions, so creating the database
//! file private first is enough for all three; a copy (`VACUUM INTO`) goes into a file that was
//! created private and empty.

use std::path::{Path, PathBuf};

use crate::StoreError;

fn io(what: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |e| StoreError::Io { what, reason: e.to_string() }
}

/// Create a directory (and its parents) with owner-only access for the ones created here.
pub(crate) fn private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io(format!("creating {}", dir.display())))
}

/// Create an empty file readable and writable by its owner only; it must not exist yet.
pub(crate) fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(io(format!("creating {}", path.display())))
}

/// The database file and its companions that exist.
fn with_companions(path: &Path) -> Vec<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    [name.clone(), format!("{name}-wal"), format!("{name}-shm")]
        .into_iter()
        .map(|n| path.with_file_name(n))
        .filter(|p| p.exists())
        .collect()
}

/// Refuse a database whose files other local accounts can read or write, naming the command
/// that fixes it: they hold user names, referrals and the whole access log.
pub(crate) fn check_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open: Vec<PathBuf> = with_companions(path)
            .into_iter()
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o077 != 0))
            .collect();
        if !open.is_empty() {
            let files: Vec<String> = open.iter().map(|p| p.display().to_string()).collect();
            return Err(StoreError::NotPrivate { files: files.join(" ") });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn files_are_created_private_and_open_ones_are_refused_with_the_fix() {
        let dir = std::env::temp_dir().join(format!("perspectief-files-{}", uuid::Uuid::new_v4().simple()));
        let nested = dir.join("a/b");
        private_dir(&nested).unwrap();
        assert_eq!(std::fs::metadata(&nested).unwrap().permissions().mode() & 0o777, 0o700);
        let db = nested.join("x.db");
        create_private(&db).unwrap();
        assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);
        check_private(&db).unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = check_private(&db).unwrap_err();
        assert!(refused.to_string().contains(&format!("chmod 600 {}", db.display())), "{refused}");
        assert!(create_private(&db).is_err(), "never over an existing file");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
