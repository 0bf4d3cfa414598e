//! Compile the proto contract with protox (pure Rust: no protoc on the machine) and generate
//! the tonic server and client code, plus a file descriptor set for reflection.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    println!("cargo:rerun-if-changed={}", root.display());
    // Every .proto file of the package, in a stable order.
    let dir = root.join("perspectief/v1");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "proto"))
        .collect();
    files.sort();
    let descriptors = protox::compile(files, [&root])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("perspectief_descriptor.bin"), prost::Message::encode_to_vec(&descriptors))?;
    // The google.rpc error details, for reflection only (the code uses tonic-types).
    let google = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("proto");
    println!("cargo:rerun-if-changed={}", google.display());
    let rpc = protox::compile(
        [google.join("google/rpc/status.proto"), google.join("google/rpc/error_details.proto")],
        [&google],
    )?;
    std::fs::write(out.join("google_rpc_descriptor.bin"), prost::Message::encode_to_vec(&rpc))?;
    // Our codec refuses undecodable requests as INVALID_ARGUMENT (prost's says INTERNAL).
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .codec_path("crate::codec::StrictCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
