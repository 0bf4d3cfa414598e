//! The protobuf codec of the API: prost's, except that a request body that is not a valid
//! message of the method's type is refused as INVALID_ARGUMENT with the usual details, as the
//! contract promises for malformed input. (prost's codec answers INTERNAL, with the decoder's
//! own words in the message.)

use perspectief_core::ViolationCode;
use std::marker::PhantomData;

use perspectief_core::DomainError;
use prost::Message;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::{ProstCodec, ProstEncoder};

/// A [`Codec`] for `application/grpc+proto` that names undecodable messages as bad input.
#[derive(Debug, Clone)]
pub struct StrictCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for StrictCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for StrictCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = StrictDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::raw_encoder(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        StrictDecoder(PhantomData)
    }
}

/// Decodes a message, refusing an undecodable one as INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct StrictDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for StrictDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(|_| {
            crate::status::to_status(&DomainError::field(
                "",
                ViolationCode::NotDecodable,
                "the message is not a valid protobuf encoding of this method's request type",
            ))
        })
    }
}
