//! Encryption at rest: XChaCha20-Poly1305, with the key id stored beside every sealed value so
//! keys can be rotated (new values use the current key; old values stay readable with the old
//! keys kept in the keyring).
//!
//! A key is 32 random bytes, written as 64 hex characters. A key file holds one key per line,
//! the current key first; `#` starts a comment. A key's id is derived from the key itself, so
//! an id can never point at the wrong key.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::StoreError;

const NONCE_LEN: usize = 24;

/// One key and its id. The cipher wipes its copy of the key when dropped.
#[derive(Clone)]
struct Entry {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The keys a store can use: the current one for sealing, all of them for opening. Every copy
/// of a key it holds is wiped from memory when it is dropped, and so are the key texts it was
/// made from, as far as it read them itself (a key file, `PERSPECTIEF_KEY`).
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Entry>,
}

// Each entry's cipher zeroizes its key on drop (chacha20poly1305's `ZeroizeOnDrop`).
impl ZeroizeOnDrop for Keyring {}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Keyring").field("key_ids", &self.keys.iter().map(|k| &k.id).collect::<Vec<_>>()).finish()
    }
}

/// A sealed value: the key id and nonce‖ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The id of the key that sealed it.
    pub key_id: String,
    /// Nonce followed by ciphertext and tag.
    pub blob: Vec<u8>,
}

fn key_id(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"perspectief key id v1");
    h.update(key);
    hex::encode(&h.finalize()[..8])
}

fn parse_key(text: &str) -> Result<Zeroizing<[u8; 32]>, String> {
    let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| "a key is 64 hexadecimal characters".to_owned())?);
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() != key.len() {
        return Err("a key is 32 bytes (64 hexadecimal characters)".to_owned());
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

impl Keyring {
    /// A keyring from hex keys, the current one first.
    pub fn from_hex_keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, String> {
        if keys.is_empty() {
            return Err("no keys".to_owned());
        }
        let keys = keys
            .iter()
            .map(|k| {
                let key = parse_key(k.as_ref())?;
                Ok(Self::entry(&key))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self { keys })
    }

    fn entry(key: &[u8; 32]) -> Entry {
        Entry { id: key_id(key), cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// A one-key keyring from the key's bytes (a participant's data key, unwrapped). Public
    /// so that its cost can be measured (`perspectief-bench keys`); the caller wipes the bytes.
    pub fn from_key(key: &[u8; 32]) -> Self {
        Self { keys: vec![Self::entry(key)] }
    }

    /// A new random key, as hex. The caller owns the text: wipe it (`zeroize`) when done.
    pub fn generate_hex_key() -> Result<String, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut())
            .map_err(|e| StoreError::Io { what: "generating a key".to_owned(), reason: e.to_string() })?;
        Ok(hex::encode(key.as_ref()))
    }

    /// Read a key file (current key first, `#` comments).
    pub fn load_file(path: &Path) -> Result<Self, StoreError> {
        let err = |reason: String| StoreError::KeyFile { path: path.display().to_string(), reason };
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?);
        let keys: Vec<&str> =
            text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect();
        Self::from_hex_keys(&keys).map_err(err)
    }

    /// Keys from `PERSPECTIEF_KEY` (comma-separated hex, current first), if set.
    pub fn from_env() -> Result<Option<Self>, StoreError> {
        match std::env::var("PERSPECTIEF_KEY").map(Zeroizing::new) {
            Ok(v) if !v.trim().is_empty() => {
                let keys: Vec<&str> = v.split(',').collect();
                Self::from_hex_keys(&keys)
                    .map(Some)
                    .map_err(|reason| StoreError::KeyFile { path: "PERSPECTIEF_KEY".to_owned(), reason })
            }
            _ => Ok(None),
        }
    }

    /// Create a key file with one new key, readable only by its owner. Refuses to overwrite.
    pub fn create_file(path: &Path) -> Result<Self, StoreError> {
        use std::io::Write;
        let io = |e: std::io::Error| StoreError::Io {
            what: format!("creating key file {}", path.display()),
            reason: e.to_string(),
        };
        let key = Zeroizing::new(Self::generate_hex_key()?);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io)?;
        writeln!(file, "# Perspectief encryption key. Keep it secret, back it up apart from the database.")
            .map_err(io)?;
        writeln!(file, "{}", key.as_str()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Self::from_hex_keys(&[key.as_str()])
            .map_err(|reason| StoreError::KeyFile { path: path.display().to_string(), reason })
    }

    /// Put a new random key at the front of an existing key file, so it seals from the next
    /// start on while the keys after it still open older values (until `rotate_keys` re-sealed
    /// them). The file is replaced whole (written beside it, then renamed), readable only by
    /// its owner; a file that does not hold valid keys is refused and left as it is. Returns
    /// the new keyring.
    pub fn prepend_to_file(path: &Path) -> Result<Self, StoreError> {
        use std::io::Write;
        let err = |reason: String| StoreError::KeyFile { path: path.display().to_string(), reason };
        let old = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?);
        Self::load_file(path)?;
        let key = Zeroizing::new(Self::generate_hex_key()?);
        let ring = Self::from_hex_keys(&[key.as_str()]).map_err(err)?;
        let mut text = Zeroizing::new(String::with_capacity(old.len() + 200));
        text.push_str(&format!(
            "# Current key ({}); the keys below open older values until `perspectief key rotate` re-sealed them.\n",
            ring.current_id()
        ));
        text.push_str(&key);
        text.push('\n');
        text.push_str(&old);
        let tmp = path.with_file_name(format!(
            ".{}.new",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let io = |e: std::io::Error| StoreError::Io {
            what: format!("writing key file {}", path.display()),
            reason: e.to_string(),
        };
        // A copy left by an interrupted run holds a key that was never in use.
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&tmp).map_err(io).and_then(|mut file| {
            file.write_all(text.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)
        });
        if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path).map_err(io)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Self::load_file(path)
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    /// The ids of the keys it holds, the current one first.
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.keys.iter().map(|k| &k.id)
    }

    /// Whether the keyring holds a key with this id.
    pub fn has(&self, key_id: &str) -> bool {
        self.keys.iter().any(|k| k.id == key_id)
    }

    /// Seal `plaintext`, bound to `aad` (where it is stored), with the current key.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Sealed, StoreError> {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Io { what: "generating a nonce".to_owned(), reason: e.to_string() })?;
        let ct = key
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .map_err(|_| StoreError::Io { what: "encrypting".to_owned(), reason: "cipher failure".to_owned() })?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        Ok(Sealed { key_id: key.id.clone(), blob })
    }

    /// Open a sealed value. A missing key or a failed check is an error, never garbage.
    pub fn open(&self, key_id: &str, aad: &[u8], blob: &[u8]) -> Result<Vec<u8>, StoreError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or_else(|| StoreError::UnknownKey { key_id: key_id.to_owned() })?;
        if blob.len() < NONCE_LEN {
            return Err(StoreError::WrongKey { key_id: key_id.to_owned() });
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        key.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| StoreError::WrongKey { key_id: key_id.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_is_bound_to_its_place() {
        let ring = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        let s = ring.seal(b"participant:1", b"geheim").unwrap();
        assert_eq!(ring.open(&s.key_id, b"participant:1", &s.blob).unwrap(), b"geheim");
        assert!(matches!(ring.open(&s.key_id, b"participant:2", &s.blob), Err(StoreError::WrongKey { .. })));
        let mut flipped = s.blob.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(ring.open(&s.key_id, b"participant:1", &flipped), Err(StoreError::WrongKey { .. })));
        assert!(!s.blob.windows(6).any(|w| w == b"geheim"), "ciphertext does not contain the plaintext");
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_seals_with_the_new_key() {
        let old = Keyring::generate_hex_key().unwrap();
        let new = Keyring::generate_hex_key().unwrap();
        let before = Keyring::from_hex_keys(std::slice::from_ref(&old)).unwrap();
        let sealed = before.seal(b"a", b"x").unwrap();
        let after = Keyring::from_hex_keys(&[new, old]).unwrap();
        assert_ne!(after.current_id(), sealed.key_id);
        assert_eq!(after.open(&sealed.key_id, b"a", &sealed.blob).unwrap(), b"x");
        assert_eq!(after.seal(b"a", b"y").unwrap().key_id, after.current_id());
        let stranger = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        assert!(matches!(stranger.open(&sealed.key_id, b"a", &sealed.blob), Err(StoreError::UnknownKey { .. })));
    }

    #[test]
    fn malformed_keys_are_refused_and_debug_prints_no_key() {
        assert!(Keyring::from_hex_keys(&["abc"]).is_err());
        assert!(Keyring::from_hex_keys::<&str>(&[]).is_err());
        let hex = Keyring::generate_hex_key().unwrap();
        let ring = Keyring::from_hex_keys(std::slice::from_ref(&hex)).unwrap();
        assert!(!format!("{ring:?}").contains(&hex));
    }

    /// Key material is wiped from memory when dropped: the keyring (its ciphers), the access
    /// log's HMAC key and the checkpoint signing key. A type that stops doing so fails to
    /// compile here.
    #[test]
    fn key_material_is_wiped_when_dropped() {
        fn wiped_on_drop<T: ZeroizeOnDrop>() {}
        wiped_on_drop::<Keyring>();
        wiped_on_drop::<crate::audit::AuditKey>();
        wiped_on_drop::<ed25519_dalek::SigningKey>();
        wiped_on_drop::<Zeroizing<[u8; 32]>>();
        // What parse_key returns for a key text is such a buffer too.
        let key: Zeroizing<[u8; 32]> = parse_key(&"ab".repeat(32)).unwrap();
        assert_eq!(*key, [0xab; 32]);
        assert!(parse_key("ab").is_err());
    }
}
