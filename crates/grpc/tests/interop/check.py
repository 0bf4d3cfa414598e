"""A client that is not written in Rust: discover the API by reflection, check health, see an
unauthenticated call refused and make an authenticated one. Usage: check.py HOST:PORT TOKEN"""

import sys

import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

SERVICE = "perspectief.v1.ReferenceDataService"


def main(address: str, token: str) -> None:
    channel = grpc.insecure_channel(address)
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    assert SERVICE in services, services
    print("services:", ", ".join(sorted(services)))

    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert health.status == health_pb2.HealthCheckResponse.SERVING, health
    print("health: SERVING")

    method = DescriptorPool(database).FindServiceByName(SERVICE).FindMethodByName("ListActivityCodes")
    request_type, response_type = GetMessageClass(method.input_type), GetMessageClass(method.output_type)
    call = channel.unary_unary(
        f"/{SERVICE}/ListActivityCodes",
        request_serializer=request_type.SerializeToString,
        response_deserializer=response_type.FromString,
    )
    try:
        call(request_type(), timeout=5)
        raise SystemExit("an unauthenticated call was answered")
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, error.code()
    print("unauthenticated: refused")

    response = call(request_type(), metadata=[("authorization", f"Bearer {token}")], timeout=5)
    codes = [c.code for c in response.activity_codes]
    assert len(codes) == 17 and "5.2.b(1)" in codes, codes
    print("authenticated: 17 activity codes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
