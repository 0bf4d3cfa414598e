//! What an operator relies on: TCP_NODELAY on every accepted connection, a request id on every
//! answer, bounded event streams that cost nothing while idle, error details that generic
//! clients can decode through reflection.

use std::time::Duration;

use perspectief_grpc::api::StreamSettings;
use perspectief_grpc::pb;
use perspectief_grpc::pb::event_service_client::EventServiceClient;
use perspectief_grpc::pb::reference_data_service_client::ReferenceDataServiceClient;
use perspectief_grpc::server::ServerConfig;
use tokio_stream::StreamExt;

use crate::server::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_accepted_connection_has_tcp_nodelay() {
    // Without it every answer of more than one HTTP/2 frame waits ~40 ms for a delayed ACK.
    let mut incoming = perspectief_grpc::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = incoming.local_addr().unwrap();
    let _client = tokio::net::TcpStream::connect(address).await.unwrap();
    let accepted = incoming.next().await.unwrap().unwrap();
    assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the accepted socket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_its_request_id_also_a_refusal() {
    let h = Harness::start(ServerConfig::default()).await;
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let request = pb::ListActivityCodesRequest { page_size: 2, page_token: String::new(), filter_theme: 0 };
    let answer = client.list_activity_codes(h.authed(request.clone())).await.unwrap();
    let id = answer.metadata().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert!(id.as_ref().is_some_and(|i| i.len() == 32 && i.bytes().all(|b| b.is_ascii_hexdigit())), "{id:?}");
    let again = client.list_activity_codes(h.authed(request.clone())).await.unwrap();
    assert_ne!(again.metadata().get("x-request-id").and_then(|v| v.to_str().ok()), id.as_deref(), "one id per call");
    // A refused call too: the id the client quotes is the one in the server's log.
    let refused = client.list_activity_codes(tonic::Request::new(request)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    assert!(refused.metadata().get("x-request-id").is_some(), "{refused:?}");
    h.stop().await;
}

async fn open_stream(h: &Harness) -> Result<tonic::Streaming<pb::WatchEventsResponse>, tonic::Status> {
    let mut client = EventServiceClient::new(h.channel.clone());
    client.watch_events(h.authed(pb::WatchEventsRequest { after_position: 0 })).await.map(tonic::Response::into_inner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_streams_are_bounded_per_caller_and_an_idle_one_does_not_read_the_feed() {
    let config =
        ServerConfig { streams: StreamSettings { per_caller: 2, total: 10, signal: None }, ..ServerConfig::default() };
    let h = Harness::start(config).await;
    let first = open_stream(&h).await.unwrap();
    let second = open_stream(&h).await.unwrap();
    // A third of the same caller is refused, with a retry delay.
    let refused = open_stream(&h).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted, "{refused:?}");
    use tonic_types::StatusExt;
    let details = refused.get_error_details();
    assert_eq!(details.error_info().map(|i| i.reason.as_str()), Some("TOO_MANY_STREAMS"));
    assert!(details.retry_info().is_some());

    // While nothing is written, the open streams do not read the feed at all.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = h.store().feed_reads();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(h.store().feed_reads(), before, "idle streams read the feed");

    // A write wakes them (each reads once, and sleeps again).
    let (_, _) = h
        .store()
        .create_token(h.admin(), perspectief_core::UserId::from_u128(2), "wake", chrono::Duration::days(1))
        .await
        .unwrap();
    let mut woke = false;
    for _ in 0..50 {
        if h.store().feed_reads() >= before + 2 {
            woke = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(woke, "a committed write wakes the open streams: {} reads", h.store().feed_reads() - before);

    // Closing a stream gives its place back.
    drop(first);
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(s) = open_stream(&h).await {
            reopened = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "a closed stream frees its place");
    drop((second, reopened));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_total_of_open_streams_is_bounded_too() {
    let config =
        ServerConfig { streams: StreamSettings { per_caller: 10, total: 1, signal: None }, ..ServerConfig::default() };
    let h = Harness::start(config).await;
    let open = open_stream(&h).await.unwrap();
    let refused = open_stream(&h).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    assert!(refused.message().contains("server"), "{}", refused.message());
    drop(open);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_describes_the_error_details_for_generic_clients() {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let h = Harness::start(ServerConfig::default()).await;
    let mut reflection = ServerReflectionClient::new(h.channel.clone());
    for symbol in [
        "google.rpc.ErrorInfo",
        "google.rpc.BadRequest",
        "google.rpc.PreconditionFailure",
        "google.rpc.RetryInfo",
        "google.rpc.Status",
    ] {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tx.send(tonic_reflection::pb::v1::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol(symbol.to_owned())),
        })
        .await
        .unwrap();
        drop(tx);
        let mut stream = reflection
            .server_reflection_info(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        let answer = stream.message().await.unwrap().unwrap();
        match answer.message_response {
            Some(MessageResponse::FileDescriptorResponse(files)) => {
                let names: Vec<String> = files
                    .file_descriptor_proto
                    .iter()
                    .map(|b| {
                        <prost_types::FileDescriptorProto as prost::Message>::decode(b.as_slice())
                            .unwrap()
                            .name()
                            .to_owned()
                    })
                    .collect();
                assert!(names.iter().any(|n| n.starts_with("google/rpc/")), "{symbol}: {names:?}");
            }
            other => panic!("{symbol} is not described: {other:?}"),
        }
    }
    h.stop().await;
}
